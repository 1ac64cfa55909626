"""Chapter 7: a small CNN while it trains: the loss curves, the learned kernels, the digits it gets wrong."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from . import drawing
from .frame import ConvWidget, Note, course_widget
from .linked import without_redraw
from .results import loss_and_gradients
from .student import Result, call, name_of

SHOWN = 8  # kernels and misclassified digits drawn, at most (two rows of four)
PROBE_CHANNELS = 2  # channels of the made-up parameters that check the loss function before training
TRAIN_COLOUR, TEST_COLOUR = "#2166ac", drawing.HIGHLIGHT

# Figure geometry, in inches.
CURVE_LEFT, CURVE_WIDTH, TOP = 0.65, 3.1, 0.75
LOSS_HEIGHT, ACCURACY_TOP, ACCURACY_HEIGHT = 1.9, 3.25, 1.15
KERNEL_LEFT, KERNEL_TILE, DIGIT_LEFT, DIGIT_TILE = 4.4, 0.62, 7.75, 0.68
TILE_GAP, ROW_GAP = 0.15, 0.45  # between tiles side by side, and between the two rows (room for titles)


@dataclass
class Snapshot:
    """What the monitor keeps of one moment of training."""

    step: int
    train_loss: float
    test_loss: Result  # the student's loss on the test set, or why it could not be computed
    kernels: np.ndarray  # (C, kh, kw), a copy of W1[:, 0]
    images: np.ndarray  # the test digits (N_test, 1, H, W)
    labels: np.ndarray  # their classes (N_test,)
    predicted: np.ndarray  # (N_test,) the class the network gives each test digit

    @property
    def mistakes(self) -> np.ndarray:
        """Return the indices of the misclassified test digits, in test order."""
        return np.flatnonzero(self.predicted != self.labels)

    @property
    def accuracy(self) -> float:
        """Return the fraction of test digits classified right."""
        return float(np.mean(self.predicted == self.labels))


def probe_params(image_shape: tuple[int, int], classes: int, channels: int = PROBE_CHANNELS) -> dict:
    """Return small made-up parameters of the chapter's CNN for images of ``image_shape`` ``(H, W)``.

    ``W1 (C, 1, 3, 3)``, ``b1 (C,)``, ``W2 (classes, C * (H//2) * (W//2))``, ``b2 (classes,)``.

    >>> {k: v.shape for k, v in probe_params((8, 8), 10).items()}
    {'W1': (2, 1, 3, 3), 'b1': (2,), 'W2': (10, 32), 'b2': (10,)}
    """
    rng = np.random.default_rng(0)
    H, W = image_shape
    return {"W1": rng.normal(0, 0.5, (channels, 1, 3, 3)), "b1": np.zeros(channels),
            "W2": rng.normal(0, 0.1, (classes, channels * (H // 2) * (W // 2))), "b2": np.zeros(classes)}


def _tiles(canvas: drawing.Canvas, left: float, tile: float) -> list:
    """Return :data:`SHOWN` square axes of side ``tile`` in two rows of four, from ``left``."""
    return [canvas.add_axes(left + (k % 4) * (tile + TILE_GAP), TOP + 0.25 + (k // 4) * (tile + ROW_GAP), tile, tile)
            for k in range(SHOWN)]


def _shapes(params: dict) -> dict[str, tuple[int, ...]]:
    return {key: np.shape(value) for key, value in params.items()}


class TrainingMonitor(ConvWidget):
    """The training monitor: the training loop calls :meth:`update` every few steps.

    Each update keeps a :class:`Snapshot`; the slider ``snapshot`` moves back through them, and
    jumps to the newest at each update. An update whose step is not after the last one starts a
    new run (the training cell was run again): the snapshots of the old run are dropped.
    """

    def __init__(self, loss_function, classes: int, image_shape: tuple[int, int]):
        self._loss_function = loss_function
        self._name = name_of(loss_function, "tiny_cnn_loss")
        self.snapshots: list[Snapshot] = []
        # Before any training: the student's function on made-up parameters and three made-up images.
        rng = np.random.default_rng(0)
        self._probe = self._loss(probe_params(image_shape, classes), rng.standard_normal((3, 1, *image_shape)),
                                 np.arange(3) % classes)
        snapshot = ipywidgets.IntSlider(value=0, min=0, max=0, description="snapshot", continuous_update=False)
        canvas = drawing.Canvas(DIGIT_LEFT + 4 * DIGIT_TILE + 3 * TILE_GAP + 0.3, ACCURACY_TOP + ACCURACY_HEIGHT + 0.6)
        self._ax_loss = canvas.add_axes(CURVE_LEFT, TOP, CURVE_WIDTH, LOSS_HEIGHT)
        self._ax_accuracy = canvas.add_axes(CURVE_LEFT, ACCURACY_TOP, CURVE_WIDTH, ACCURACY_HEIGHT)
        self._ax_kernels = _tiles(canvas, KERNEL_LEFT, KERNEL_TILE)
        self._ax_digits = _tiles(canvas, DIGIT_LEFT, DIGIT_TILE)
        super().__init__({"snapshot": snapshot}, canvas, self._draw_snapshot)

    def _loss(self, params: dict, X: np.ndarray, y: np.ndarray) -> Result:
        params = {key: np.array(value, dtype=float) for key, value in params.items()}
        return loss_and_gradients(call(self._loss_function, params, X, y, name=self._name),
                                  self._name, _shapes(params))

    def update(self, step: int, params: dict, train_loss: float, X_test, y_test, predicted) -> None:
        """Record the state of training at ``step`` and show it.

        ``params`` holds ``W1 (C, 1, 3, 3)`` and the other parameters; ``train_loss`` is the
        training loss to plot (for example the mean over the steps since the last update);
        ``X_test (N_test, 1, H, W)`` and ``y_test (N_test,)`` are the test digits, ``predicted``
        ``(N_test,)`` the class the network gives each of them. The test loss is computed here,
        with the loss function the monitor was given.
        """
        images, labels = np.asarray(X_test, dtype=float), np.asarray(y_test).reshape(-1)
        predicted = np.asarray(predicted).reshape(-1)
        if images.ndim != 4 or images.shape[1] != 1:
            raise ValueError(f"X_test must be (N_test, 1, H, W), got shape {images.shape}")
        if labels.shape != images.shape[:1] or predicted.shape != labels.shape:
            raise ValueError(f"y_test and predicted must hold one class per test digit, shape {images.shape[:1]}, "
                             f"got {labels.shape} and {predicted.shape}")
        kernels = np.array(params["W1"], dtype=float).reshape(-1, *np.shape(params["W1"])[-2:])
        if self.snapshots and step <= self.snapshots[-1].step:
            self.snapshots.clear()
        self.snapshots.append(Snapshot(int(step), float(train_loss), self._loss(params, images, labels),
                                       kernels, images, labels, predicted.copy()))
        slider = self.controls["snapshot"]
        newest = len(self.snapshots) - 1
        with without_redraw(self, slider):
            slider.max = newest
        if slider.value != newest:
            slider.value = newest  # redraws
        else:
            self.redraw()

    # --- drawing ------------------------------------------------------------------------------

    def _draw_snapshot(self) -> list[Note]:
        notes = []
        if not self._probe.ok:
            notes.append(Note(self._probe.problem, "problem"))
        if not self.snapshots:
            for ax in (*self._ax_kernels, *self._ax_digits, self._ax_accuracy):
                ax.set_axis_off()
            text = (self._probe.problem if not self._probe.ok else
                    "Run the training: the loss curves, the learned kernels and the misclassified "
                    "test digits appear here, and the slider goes back in time.")
            drawing.message(self._ax_loss, text, "loss", width=44, problem=not self._probe.ok)
            if self._probe.ok:
                notes.append(Note(f"{self._name} returns a loss and gradients of the right shapes "
                                  "(checked on made-up parameters); waiting for the training", "ok"))
            return notes
        index = min(self.controls["snapshot"].value, len(self.snapshots) - 1)
        now = self.snapshots[index]
        self._draw_curves(index)
        self._draw_kernels(now.kernels)
        self._draw_mistakes(now)
        accuracy = 100 * now.accuracy
        self.canvas.text(CURVE_LEFT, 0.12, f"step {now.step} (snapshot {index} of {len(self.snapshots) - 1}): "
                          f"test accuracy {accuracy:.1f}%, {len(now.mistakes)} of {len(now.labels)} test digits "
                          "misclassified", fontsize=11, va="top")
        if not now.test_loss.ok and now.test_loss.problem not in {n.text for n in notes}:
            notes.append(Note(now.test_loss.problem, "problem"))
        elif now.test_loss.ok:
            notes.append(Note(f"step {now.step}: training loss {now.train_loss:.3f}, test loss "
                              f"{now.test_loss.value[0]:.3f} (from {self._name}), test accuracy {accuracy:.1f}%",
                              "info"))
        return notes

    def _draw_curves(self, index: int) -> None:
        steps = [s.step for s in self.snapshots]
        train = [s.train_loss for s in self.snapshots]
        test = [s.test_loss.value[0] if s.test_loss.ok else np.nan for s in self.snapshots]
        accuracy = [100 * s.accuracy for s in self.snapshots]
        now = self.snapshots[index].step
        right = max(steps[-1], 1) * 1.03
        for ax in (self._ax_loss, self._ax_accuracy):
            ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(5))
            ax.tick_params(labelsize=8)
            ax.axvline(now, color="#999999", linewidth=1, linestyle=":")
            ax.set_xlim(0, right)
        self._ax_loss.plot(steps, train, color=TRAIN_COLOUR, marker=".", label="training (batches)")
        self._ax_loss.plot(steps, test, color=TEST_COLOUR, marker=".", label=f"test ({self._name})")
        top = np.nanmax([*train, *test, 1e-3])
        self._ax_loss.set_ylim(0, top * 1.08)
        self._ax_loss.legend(fontsize=8, loc="upper right", frameon=False)
        drawing.title(self._ax_loss, "loss")
        self._ax_accuracy.plot(steps, accuracy, color="#1a7f37", marker=".")
        self._ax_accuracy.set_ylim(0, 100)
        self._ax_accuracy.set_xlabel("training step", fontsize=9)
        drawing.title(self._ax_accuracy, "test accuracy (%)")

    def _draw_kernels(self, kernels: np.ndarray) -> None:
        norm = drawing.signed_norm(kernels)
        for k, ax in enumerate(self._ax_kernels):
            if k >= len(kernels):
                ax.set_axis_off()
                continue
            drawing.number_grid(ax, kernels[k], cmap=drawing.SIGNED_CMAP, norm=norm, annotate=False, ticks=False)
            drawing.title(ax, f"W1[{k}]", fontsize=9)
        more = f" (the first {SHOWN} of {len(kernels)})" if len(kernels) > SHOWN else ""
        self.canvas.text(KERNEL_LEFT, TOP - 0.05, f"learned kernels{more}\nred > 0, blue < 0",
                          fontsize=10, va="bottom")

    def _draw_mistakes(self, now: Snapshot) -> None:
        shown = now.mistakes[:SHOWN]
        pixels = (now.images.min(initial=0.0), now.images.max(initial=1.0))  # the same gray scale for every digit
        for k, ax in enumerate(self._ax_digits):
            if k >= len(shown):
                ax.set_axis_off()
                continue
            index = shown[k]
            ax.imshow(now.images[index, 0], cmap="gray_r", vmin=pixels[0], vmax=pixels[1], interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            drawing.title(ax, f"{now.labels[index]} → {now.predicted[index]}", fontsize=9)
        heading = ("misclassified test digits\ntrue → predicted" if len(shown)
                   else "no misclassified test digit")
        self.canvas.text(DIGIT_LEFT, TOP - 0.05, heading, fontsize=10, va="bottom")


_latest: list[TrainingMonitor] = []  # the monitor built last in this kernel, for the training loop to find


@course_widget("conv-training-monitor")
def training_monitor(tiny_cnn_loss, classes: int = 10, image_shape: tuple[int, int] = (8, 8)) -> TrainingMonitor:
    """Return a widget that shows a small CNN while it trains; the training loop calls its ``update``.

    ``tiny_cnn_loss(params, X, y)`` returns ``(loss, grads)`` for images ``X (N, 1, H, W)`` of
    ``image_shape`` and labels ``y (N,)``, ``grads`` a dict with the keys and shapes of ``params``
    (``W1 (C, 1, 3, 3)``, ``b1 (C,)``, ``W2 (classes, C*(H//2)*(W//2))``, ``b2 (classes,)``); the
    monitor checks it at once on made-up parameters and images, and computes the test loss with
    it at every update.
    ``monitor.update(step, params, train_loss, X_test, y_test, predicted)`` records a snapshot:
    the picture shows the training and test loss and the test accuracy up to it, the kernels
    ``W1`` as images, and the first misclassified test digits with their true and predicted
    classes; a slider moves back through the snapshots. The training loop, in another cell,
    finds the monitor with ``training_monitor.latest()``.
    """
    monitor = TrainingMonitor(tiny_cnn_loss, classes, tuple(image_shape))
    _latest[:] = [monitor]
    return monitor


def latest() -> TrainingMonitor | None:
    """Return the training monitor built last in this kernel, or None (none yet, or the notebook is being graded)."""
    return _latest[0] if _latest else None


training_monitor.latest = latest
