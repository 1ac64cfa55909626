"""The course's interactive widgets: each draws with the function a notebook gives it.

A widget takes the student's own function (``corr2d``, ``output_size``, ...) and returns an
ipywidgets widget to leave as a cell's last value; its picture is whatever that function
computes, so a bug shows up in the picture, and a stub or a wrong shape shows up as a message
in its place. Nothing here imports the reference library.

=======================  =====  ====================================================
``kernel_gallery``       ch1    preset and custom kernels on a photograph
``window_stepper``       ch1    one output cell: its window, the products, their sum
``padding_explorer``     ch2    padding, stride and dilation: where windows land
``channel_explorer``     ch3    one kernel per RGB channel, the parts and their sum
=======================  =====  ====================================================

Shared modules: ``frame`` (the widget's layout, redraws, the pause while nbgrader grades),
``drawing`` (figures rendered to PNG, grids of numbers), ``student`` (calling the student's
function safely), ``images`` (the sample photograph), ``kernels`` (preset kernels and banks).
"""

from .channel_explorer import channel_explorer
from .kernel_gallery import kernel_gallery
from .padding_explorer import padding_explorer
from .window_stepper import window_stepper

__all__ = ["kernel_gallery", "window_stepper", "padding_explorer", "channel_explorer"]
