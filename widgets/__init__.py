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
``channel_mixer``        ch4    a 1x1 convolution: every pixel's channels mixed by weights
``pooling_explorer``     ch5    max and average pooling: windows, winners, output size
``groups_diagram``       ch6    grouped convolution: which inputs feed which outputs, costs
``dilation_explorer``    ch6    a dilated kernel's taps on the grid, and its output
``transposed_stepper``   ch6    a transposed convolution's scatter-add, one input cell a step
``gradient_flow``        ch7    one output cell's gradient flowing back to input and kernel
``training_monitor``     ch7    a CNN as it trains: losses, kernels, misclassified digits
=======================  =====  ====================================================

Shared modules: ``frame`` (the widget's layout and redraws), ``grading`` (the notice that
stands in for a widget while nbgrader grades, when not even the drawing modules are loaded),
``drawing`` (figures rendered to PNG, grids of numbers), ``student`` (calling the student's
function safely), ``images`` (the sample photograph), ``kernels`` (preset kernels and banks),
``linked`` (controls that set other controls, with one redraw), ``results`` (checking a result
made of several arrays: a pair of gradients, a loss and a dict of gradients).
"""

__all__ = ["kernel_gallery", "window_stepper", "padding_explorer", "channel_explorer", "channel_mixer",
           "pooling_explorer", "groups_diagram", "dilation_explorer", "transposed_stepper",
           "gradient_flow", "training_monitor"]

from .grading import grading as _grading  # noqa: E402 - __all__ first: the stand-ins below are made from it

if _grading():
    # While nbgrader grades, every widget is only its notice (grading.py): the modules that draw,
    # and matplotlib with them, are not even imported, a second saved in every graded notebook.
    from .grading import skipped_widget as _skipped

    globals().update({_name: _skipped(_name) for _name in __all__})
else:
    from .channel_explorer import channel_explorer
    from .channel_mixer import channel_mixer
    from .dilation_explorer import dilation_explorer
    from .gradient_flow import gradient_flow
    from .groups_diagram import groups_diagram
    from .kernel_gallery import kernel_gallery
    from .padding_explorer import padding_explorer
    from .pooling_explorer import pooling_explorer
    from .training_monitor import training_monitor
    from .transposed_stepper import transposed_stepper
    from .window_stepper import window_stepper
