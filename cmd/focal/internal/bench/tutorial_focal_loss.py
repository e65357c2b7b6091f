# The FocalLoss class of the tutorial "Focal Loss的理解" (Understanding Focal
# Loss), copied verbatim (comments translated), for `focal bench`. For targets
# 0 it weights the loss by (1 - sigmoid(x))**gamma, where the paper's factor is
# sigmoid(x)**gamma: it is the paper's loss only for all-positive targets.
import torch
import torch.nn as nn


# Focal Loss 的 PyTorch 示例实现 (a PyTorch example implementation of focal loss)
class FocalLoss(nn.Module):
    def __init__(self, alpha=0.25, gamma=2, reduction='mean'):
        super(FocalLoss, self).__init__()
        self.alpha = alpha
        self.gamma = gamma
        self.reduction = reduction

    def forward(self, inputs, targets):

        # 计算 logits 的 sigmoid 概率 (sigmoid probabilities of the logits)
        p = torch.sigmoid(inputs)

        # 计算交叉熵损失 (cross-entropy loss)
        bce_loss = nn.functional.binary_cross_entropy_with_logits(inputs, targets, reduction='none')

        # 计算 Focal Loss
        alpha = self.alpha * targets + (1 - self.alpha) * (1 - targets)
        focal_loss = alpha * ((1 - p) ** self.gamma) * bce_loss

        # 根据 reduction 参数进行损失归约 (reduce as the reduction argument says)
        if self.reduction == 'mean':
            return focal_loss.mean()
        elif self.reduction == 'sum':
            return focal_loss.sum()
        else:
            return focal_loss
