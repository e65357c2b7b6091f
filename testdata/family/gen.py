#!/usr/bin/python3
"""Reference numbers for the focal family (package focal, family*.go), computed with PyTorch 1.13
in float64 from each member's published reference implementation, written here as that code
computes it (only the final reduction is left out, so each element's loss is kept).

Each case is one JSON file: kind and params (names as focal.NewMember takes them), logits x,
targets y, and for every element the loss, its derivative (grad) and second derivative (hess)
with respect to its logit. The losses are elementwise, so the Hessian diagonal is the gradient
of sum(grad); both come from autograd through the reference code (create_graph=True), so a
weight the reference builds without gradient tracking is a constant in both.

Parameters are written as focal.NewMember takes them: alpha = 0 is "no alpha-weighting" there,
which the reference functions spell alpha = -1 or None.

Run: /usr/bin/python3 gen.py [OUTDIR]"""
import json, os, sys
import torch
import torch.nn.functional as F
from torchvision.ops import sigmoid_focal_loss

torch.set_default_dtype(torch.float64)
out = os.path.dirname(os.path.abspath(__file__)) if len(sys.argv) < 2 else sys.argv[1]
g = torch.Generator().manual_seed(20261128)


# --- Poly-1 focal: Leng et al., "PolyLoss", ICLR 2022, code listing "poly1_focal_loss"
# (TensorFlow in the paper; here with torchvision's sigmoid_focal_loss for the FL term, which is
# the listing's FL: ce * (1 - pt)**gamma, times alpha_t when alpha >= 0).
def poly1_focal_loss(logits, labels, epsilon=1.0, gamma=2.0, alpha=0.25):
    p = torch.sigmoid(logits)
    pt = labels * p + (1 - labels) * (1 - p)
    FL = sigmoid_focal_loss(logits, labels, alpha=alpha, gamma=gamma, reduction="none")
    return FL + epsilon * torch.pow(1 - pt, gamma + 1)


# --- Asymmetric loss: Alibaba-MIIL/ASL, src/loss_functions/losses.py, class AsymmetricLoss
# (defaults gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8, disable_torch_grad_focal_loss=True),
# forward without the final "-loss.sum()" negation-and-sum (negated per element here).
def asymmetric_loss(x, y, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8, disable_torch_grad_focal_loss=True):
    x_sigmoid = torch.sigmoid(x)
    xs_pos = x_sigmoid
    xs_neg = 1 - x_sigmoid
    if clip is not None and clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = y * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - y) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    if gamma_neg > 0 or gamma_pos > 0:
        if disable_torch_grad_focal_loss:
            torch.set_grad_enabled(False)
        pt0 = xs_pos * y
        pt1 = xs_neg * (1 - y)
        pt = pt0 + pt1
        one_sided_gamma = gamma_pos * y + gamma_neg * (1 - y)
        one_sided_w = torch.pow(1 - pt, one_sided_gamma)
        if disable_torch_grad_focal_loss:
            torch.set_grad_enabled(True)
        loss *= one_sided_w
    return -loss


# --- Quality focal loss: open-mmlab/mmdetection, mmdet/models/losses/gfocal_loss.py,
# quality_focal_loss_tensor_target (activated=False), without the final sum over classes.
def quality_focal_loss_tensor_target(pred, target, beta=2.0):
    pred_sigmoid = pred.sigmoid()
    scale_factor = pred_sigmoid
    zerolabel = scale_factor.new_zeros(pred.shape)
    loss = F.binary_cross_entropy_with_logits(pred, zerolabel, reduction='none') * scale_factor.pow(beta)
    pos = (target != 0)
    scale_factor = target[pos] - pred_sigmoid[pos]
    loss[pos] = F.binary_cross_entropy_with_logits(pred[pos], target[pos], reduction='none') * scale_factor.abs().pow(beta)
    return loss


# --- Varifocal loss: open-mmlab/mmdetection, mmdet/models/losses/varifocal_loss.py, varifocal_loss
# (same code as hyz-xmaster/VarifocalNet), reduction 'none', no weight.
def varifocal_loss(pred, target, alpha=0.75, gamma=2.0, iou_weighted=True):
    pred_sigmoid = pred.sigmoid()
    target = target.type_as(pred)
    if iou_weighted:
        focal_weight = target * (target > 0.0).float() + \
            alpha * (pred_sigmoid - target).abs().pow(gamma) * (target <= 0.0).float()
    else:
        focal_weight = (target > 0.0).float() + \
            alpha * (pred_sigmoid - target).abs().pow(gamma) * (target <= 0.0).float()
    return F.binary_cross_entropy_with_logits(pred, target, reduction='none') * focal_weight


# --- FL*: Lin et al., "Focal Loss for Dense Object Detection", appendix A:
# x_t = x for y = 1, -x for y = 0; FL* = -log(sigmoid(gamma * x_t + beta)) / gamma, alpha_t-weighted.
# (No published code; logsigmoid is the stable form of log(sigmoid(.)).)
def fl_star(x, y, gamma=2.0, beta=1.0, alpha=0.25):
    xt = x * (2 * y - 1)
    loss = -F.logsigmoid(gamma * xt + beta) / gamma
    if alpha >= 0:
        loss = loss * (alpha * y + (1 - alpha) * (1 - y))
    return loss


# --- Sample-dependent gamma: torrvision/focal_calibration, Losses/focal_loss_adaptive_gamma.py,
# FocalLossAdaptive (FLSD-53: gamma_dic {0.2: 5.0, 0.5: 3.0}, self.gamma = 3 for pt >= 0.5).
# The reference is softmax; here its get_gamma_list logic on the sigmoid pt, the loss being
# torchvision's focal loss with that gamma per element (gamma chosen without gradient, as there).
gamma_dic = {0.2: 5.0, 0.5: 3.0}
def get_gamma_list(pt, gamma=3.0):
    gamma_list = []
    for i in range(pt.shape[0]):
        pt_sample = pt[i].item()
        if pt_sample >= 0.5:
            gamma_list.append(gamma)
            continue
        for key in sorted(gamma_dic.keys()):
            if pt_sample < key:
                gamma_list.append(gamma_dic[key])
                break
    return torch.tensor(gamma_list)

def flsd_sigmoid(x, y, alpha=-1.0):
    with torch.no_grad():
        p = torch.sigmoid(x)
        pt = p * y + (1 - p) * (1 - y)
    gam = get_gamma_list(pt)
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * ((1 - p_t) ** gam)
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return loss

# Softmax FLSD, FocalLossAdaptive.forward as published (size_average False, per-sample losses kept).
def flsd_softmax(input, target, gamma=3.0):
    target = target.view(-1, 1)
    logpt = F.log_softmax(input, dim=1)
    logpt = logpt.gather(1, target)
    logpt = logpt.view(-1)
    pt = logpt.exp()
    gamma = get_gamma_list(pt, gamma)
    return -1 * (1 - pt) ** gamma * logpt


# --- Reduced focal loss: qubvel/segmentation_models.pytorch,
# segmentation_models_pytorch/losses/_functional.py, focal_loss_with_logits(reduced_threshold=th),
# reduction "none", normalized False.
def focal_loss_with_logits(output, target, gamma=2.0, alpha=0.25, reduced_threshold=None):
    target = target.type(output.type())
    logpt = F.binary_cross_entropy_with_logits(output, target, reduction="none")
    pt = torch.exp(-logpt)
    if reduced_threshold is None:
        focal_term = (1.0 - pt).pow(gamma)
    else:
        focal_term = ((1.0 - pt) / reduced_threshold).pow(gamma)
        focal_term[pt < reduced_threshold] = 1
    loss = focal_term * logpt
    if alpha is not None:
        loss *= alpha * target + (1 - alpha) * (1 - target)
    return loss


# --- Gaussian focal loss: Law & Deng, "CornerNet", ECCV 2018, eq. 1; open-mmlab/mmdetection,
# mmdet/models/losses/gaussian_focal_loss.py, gaussian_focal_loss, on pred = sigmoid(logits) as
# CenterNetHead computes it, reduction 'none'. The reference's eps = 1e-12 inside the logarithms is a
# parameter here, set to 0: it shifts the loss by eps/p, which is below 1e-11 only for p > 0.1.
def gaussian_focal_loss(pred, gaussian_target, alpha=2.0, gamma=4.0, eps=1e-12):
    pos_weights = gaussian_target.eq(1)
    neg_weights = (1 - gaussian_target).pow(gamma)
    pos_loss = -(pred + eps).log() * (1 - pred).pow(alpha) * pos_weights
    neg_loss = -(1 - pred + eps).log() * pred.pow(alpha) * neg_weights
    return pos_loss + neg_loss


def derivs(fn, x, *args):
    x = x.clone().requires_grad_(True)
    loss = fn(x, *args)
    (grad,) = torch.autograd.grad(loss.sum(), x, create_graph=True)
    (hess,) = torch.autograd.grad(grad.sum(), x)
    for v in (loss, grad, hess):
        assert torch.isfinite(v).all(), fn
    return loss.detach(), grad.detach(), hess


def save(name, kind, params, x, y, fn, *args):
    loss, grad, hess = derivs(fn, x, y, *args)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(dict(name=name, kind=kind, params=params, x=x.tolist(), y=y.tolist(),
                       loss=loss.tolist(), grad=grad.tolist(), hess=hess.tolist()), f)


n = 48
def logits(scale=3.0, lim=9.0):
    return (torch.randn(n, generator=g) * scale).clamp(-lim, lim)
def hard(frac=0.3):
    return (torch.rand(n, generator=g) < frac).double()
def soft():
    y = torch.rand(n, generator=g)
    y[:8] = 0.0
    y[8:12] = 1.0
    return y

x, yh, ys = logits(), hard(), soft()

save("poly1_a25_g2_e1", "poly1", dict(alpha=0.25, gamma=2, epsilon=1), x, yh,
     lambda x, y: poly1_focal_loss(x, y, 1.0, 2.0, 0.25))
save("poly1_noalpha_g0_e1", "poly1", dict(alpha=0, gamma=0, epsilon=1), x, yh,
     lambda x, y: poly1_focal_loss(x, y, 1.0, 0.0, -1))
save("poly1_a50_g1.5_em0.5_soft", "poly1", dict(alpha=0.5, gamma=1.5, epsilon=-0.5), x, ys,
     lambda x, y: poly1_focal_loss(x, y, -0.5, 1.5, 0.5))

save("asl_default_detached", "asl", {"gamma-neg": 4, "gamma-pos": 1, "margin": 0.05, "detach": 1}, x, yh,
     lambda x, y: asymmetric_loss(x, y, 4, 1, 0.05, 1e-8, True))
save("asl_default_full", "asl", {"gamma-neg": 4, "gamma-pos": 1, "margin": 0.05, "detach": 0}, x, yh,
     lambda x, y: asymmetric_loss(x, y, 4, 1, 0.05, 1e-8, False))
save("asl_g2_g0_nomargin_full", "asl", {"gamma-neg": 2, "gamma-pos": 0, "margin": 0, "detach": 0}, x, yh,
     lambda x, y: asymmetric_loss(x, y, 2, 0, 0, 1e-8, False))
save("asl_g2.5_g1.5_m0.2_full", "asl", {"gamma-neg": 2.5, "gamma-pos": 1.5, "margin": 0.2, "detach": 0}, x, yh,
     lambda x, y: asymmetric_loss(x, y, 2.5, 1.5, 0.2, 1e-8, False))
# gamma_neg < 2 with a margin: autograd's second derivative of (1 - pt)**gamma is NaN where
# p <= m (0**(gamma - 2) times 0), so the negatives here all have p > m = 0.1 (x > -2.197).
xm = torch.where(yh == 0, -2.1 + x.abs(), x)
save("asl_g0.5_g1_m0.1_full", "asl", {"gamma-neg": 0.5, "gamma-pos": 1, "margin": 0.1, "detach": 0}, xm, yh,
     lambda x, y: asymmetric_loss(x, y, 0.5, 1, 0.1, 1e-8, False))
save("asl_g3_g0.5_m0.1_detached", "asl", {"gamma-neg": 3, "gamma-pos": 0.5, "margin": 0.1, "detach": 1}, x, yh,
     lambda x, y: asymmetric_loss(x, y, 3, 0.5, 0.1, 1e-8, True))

save("qfl_b2_soft", "qfl", dict(beta=2), x, ys, lambda x, y: quality_focal_loss_tensor_target(x, y, 2.0))
save("qfl_b1.5_soft", "qfl", dict(beta=1.5), x, ys, lambda x, y: quality_focal_loss_tensor_target(x, y, 1.5))
save("qfl_b0.5_soft", "qfl", dict(beta=0.5), x, ys, lambda x, y: quality_focal_loss_tensor_target(x, y, 0.5))

save("vfl_a75_g2_iou", "varifocal", {"alpha": 0.75, "gamma": 2, "iou-weighted": 1}, x, ys,
     lambda x, y: varifocal_loss(x, y, 0.75, 2.0, True))
save("vfl_a50_g1.5_plain", "varifocal", {"alpha": 0.5, "gamma": 1.5, "iou-weighted": 0}, x, ys,
     lambda x, y: varifocal_loss(x, y, 0.5, 1.5, False))

save("flstar_a25_g2_b1", "flstar", dict(alpha=0.25, gamma=2, beta=1), x, yh, lambda x, y: fl_star(x, y, 2.0, 1.0, 0.25))
save("flstar_g1_b0", "flstar", dict(alpha=0, gamma=1, beta=0), x, yh, lambda x, y: fl_star(x, y, 1.0, 0.0, -1))
save("flstar_a50_g3_bm0.5", "flstar", dict(alpha=0.5, gamma=3, beta=-0.5), x, yh, lambda x, y: fl_star(x, y, 3.0, -0.5, 0.5))

save("flsd53_sigmoid", "flsd", dict(alpha=0), x, yh, lambda x, y: flsd_sigmoid(x, y, -1.0))
save("flsd53_sigmoid_a25_soft", "flsd", dict(alpha=0.25), x, ys, lambda x, y: flsd_sigmoid(x, y, 0.25))

save("reduced_th0.5_g2_a25", "reduced", dict(alpha=0.25, gamma=2, threshold=0.5), x, yh,
     lambda x, y: focal_loss_with_logits(x, y, 2.0, 0.25, 0.5))
save("reduced_th0.3_g2", "reduced", dict(alpha=0, gamma=2, threshold=0.3), x, yh,
     lambda x, y: focal_loss_with_logits(x, y, 2.0, None, 0.3))
save("reduced_th0.7_g1.5_a50", "reduced", dict(alpha=0.5, gamma=1.5, threshold=0.7), x, yh,
     lambda x, y: focal_loss_with_logits(x, y, 1.5, 0.5, 0.7))

# Softmax FLSD-53: logits [N, C] class-last, integer labels; loss per row, grad/hess per logit
# (hess: the diagonal, d²L/dx_k² of the summed loss, by autograd row by row).
N, C = 16, 5
xs = torch.randn(N, C, generator=g) * 2.5
labels = torch.randint(0, C, (N,), generator=g)
xr = xs.clone().requires_grad_(True)
loss = flsd_softmax(xr, labels)
(grad,) = torch.autograd.grad(loss.sum(), xr, create_graph=True)
hess = torch.zeros(N, C)
for k in range(C):
    (h,) = torch.autograd.grad(grad[:, k].sum(), xr, retain_graph=True)
    hess[:, k] = h[:, k]
with open(os.path.join(out, "flsd53_softmax.json"), "w") as f:
    json.dump(dict(name="flsd53_softmax", kind="flsd-softmax", params=dict(classes=C), x=xs.flatten().tolist(),
                   y=labels.double().tolist(), loss=loss.detach().tolist(), grad=grad.detach().flatten().tolist(),
                   hess=hess.flatten().tolist()), f)

# Gaussian focal loss: heatmap-like targets (exact 1s at keypoints, a Gaussian fall-off, zeros).
xg, yg = logits(), soft()
save("gaussian_g2_b4", "gaussian", dict(gamma=2, beta=4), xg, yg,
     lambda x, y: gaussian_focal_loss(torch.sigmoid(x), y, 2.0, 4.0, eps=0.0))
save("gaussian_g1.5_b2", "gaussian", dict(gamma=1.5, beta=2), xg, yg,
     lambda x, y: gaussian_focal_loss(torch.sigmoid(x), y, 1.5, 2.0, eps=0.0))
