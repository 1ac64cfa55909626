"""The reference library of the course: every operation the chapters teach, vectorized with NumPy.

Each function matches ``torch.nn.functional`` (or the course's definition, for the student
functions) and states its shapes and output-size formula in its docstring. Every windowed op
stands on one primitive, :func:`solutions.windows.windows`; :mod:`solutions.naive` holds the
loop versions the chapters start from.

Modules, one concept each:

=====================  ==============================================================
``windows``            the window view of a grid, its adjoint ``scatter_add``, and its stride phases
``padding``            ``pad`` (F.pad), ``pad2d``
``sizes``              ``output_size``, ``same_padding``, ``receptive_field``, parameter and MAC counts
``conv``               ``conv2d`` (F.conv2d with ``padding_mode``)
``transposed``         ``conv_transpose2d``, ``trans_conv``, ``conv_matrix``
``pooling``            ``max_pool2d``, ``avg_pool2d``, ``pool2d``, ``pool2d_strided``
``im2col``             ``unfold`` (im2col), ``fold`` (col2im)
``correlation``        single-channel ``corr2d`` and its variants, ``Conv2D``, ``learn_kernel``
``channels``           multi-channel, 1x1, grouped and depthwise-separable convolution
``backward``           ``conv2d_backward``, ``max_pool2d_backward``, ``avg_pool2d_backward`` (autograd's gradients)
``gradients``          ``corr2d_backward`` by hand, ``numerical_gradient`` by central differences
``cnn``                ``tiny_cnn_loss``: a one-convolution network's loss and gradients
``naive``              the loop versions
=====================  ==============================================================
"""

from .backward import avg_pool2d_backward, conv2d_backward, max_pool2d_backward
from .channels import (
    conv2d_grouped,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    depthwise_separable,
    pointwise_as_linear,
)
from .cnn import tiny_cnn_loss
from .conv import conv2d
from .correlation import Conv2D, convolve2d, corr2d, corr2d_dilated, corr2d_pad_stride, learn_kernel
from .gradients import corr2d_backward, numerical_gradient
from .padding import pad, pad2d
from .pooling import avg_pool2d, max_pool2d, pool2d, pool2d_strided
from .sizes import conv2d_macs, conv2d_params, output_size, receptive_field, same_padding
from .transposed import conv_matrix, conv_transpose2d, trans_conv
from .im2col import fold, unfold

__all__ = [
    # PyTorch-parity building blocks
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "pad", "unfold", "fold",
    # ch1 cross-correlation
    "corr2d", "convolve2d", "Conv2D", "learn_kernel",
    # ch2 padding and stride
    "output_size", "pad2d", "corr2d_pad_stride", "same_padding",
    # ch3 channels
    "corr2d_multi_in", "corr2d_multi_in_out", "conv2d_params", "conv2d_macs",
    # ch4 1x1 convolution
    "corr2d_multi_in_out_1x1", "pointwise_as_linear",
    # ch5 pooling
    "pool2d", "pool2d_strided",
    # ch6 variants
    "conv2d_grouped", "depthwise_separable", "corr2d_dilated", "trans_conv", "conv_matrix",
    "receptive_field",
    # ch7 backward (conv2d_backward and the pool backward ops are also PyTorch-parity building blocks)
    "numerical_gradient", "corr2d_backward", "conv2d_backward", "max_pool2d_backward",
    "avg_pool2d_backward", "tiny_cnn_loss",
]
