"""``Bidirectional``: runs a recurrent layer forwards and backwards, then merges."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from kerax.layers.core.wrapper import Wrapper, deserialize_layer, serialize_layer
from kerax.layers.layer import Layer
from kerax.layers.recurrent.cell_utils import build_sublayer
from kerax.layers.recurrent.rnn import RNN
from kerax.registry import register

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_MERGES = {
    "concat": lambda y, y_rev: jnp.concatenate([y, y_rev], axis=-1),
    "sum": lambda y, y_rev: y + y_rev,
    "mul": lambda y, y_rev: y * y_rev,
    "ave": lambda y, y_rev: (y + y_rev) / 2,
    None: lambda y, y_rev: (y, y_rev),
}


def _classes(layer: Any) -> dict[str, type]:
    """The classes of ``layer``'s cell and stacked cells, by name."""
    cell = getattr(layer, "cell", None)
    inner = [cell, *getattr(cell, "cells", [])] if cell is not None else []
    return {type(obj).__name__: type(obj) for obj in inner}


def _copy(layer: Layer, name: str, **changes: Any) -> Layer:
    """A fresh, unbuilt copy of ``layer`` from its config, renamed and changed."""
    config = {**layer.get_config(), "name": name, **changes}
    if isinstance(layer, RNN):
        return type(layer).from_config(config, _classes(layer))
    return type(layer).from_config(config)


def _strip(prefix: str, name: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


@register("keras.layers")
class Bidirectional(Wrapper):
    """Runs a recurrent layer over the sequence in both directions.

    The forward layer is a copy of ``layer`` named ``forward_<name>``; the
    backward one is ``backward_layer`` or a copy of ``layer`` named
    ``backward_<name>`` with ``go_backwards=True``. Backward sequence outputs
    are flipped back to the input's time order before merging.

    Args:
        layer: an ``RNN`` (or a layer with ``go_backwards``,
            ``return_sequences``, ``return_state`` and ``stateful``).
        merge_mode: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or
            None (return both outputs in a list).
        weights: initial weights, forward layer's then backward layer's.
        backward_layer: optional layer for the backward direction; its
            ``go_backwards`` must differ from ``layer``'s.

    Call arguments:
        sequences, mask, training: passed to both layers.
        initial_state: forward states followed by backward states.

    Example:
        >>> from kerax.layers import LSTM
        >>> Bidirectional(LSTM(4))(jnp.ones((2, 3, 5))).shape
        (2, 8)
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights: Any = None,
        backward_layer: Layer | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Bidirectional wraps a kerax Layer instance; received layer={layer!r}."
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "Bidirectional: `backward_layer` must be a kerax Layer instance; "
                f"received backward_layer={backward_layer!r}."
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one "
                f"of {list(MERGE_MODES)}."
            )
        forward = _copy(layer, "forward_" + _strip("forward_", layer.name))
        if backward_layer is None:
            backward_layer = _copy(
                layer,
                "backward_" + _strip("backward_", layer.name),
                go_backwards=True,
            )
        super().__init__(forward, weights=weights, **kwargs)
        self.forward_layer = forward
        self.backward_layer = backward_layer
        self._check_directions()
        for sublayer in (self.forward_layer, self.backward_layer):
            if isinstance(sublayer, RNN):
                # As Keras: masked steps of returned sequences are zeros.
                sublayer.zero_output_for_mask = sublayer.return_sequences
        self.merge_mode = merge_mode
        self.stateful = forward.stateful
        self.return_sequences = forward.return_sequences
        self.return_state = forward.return_state
        self.supports_masking = True
        self.input_spec = forward.input_spec

    def _check_directions(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Bidirectional: the forward and backward layers need different "
                f"`go_backwards`; received {forward.go_backwards} for both."
            )
        for name in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, name) != getattr(backward, name):
                raise ValueError(
                    f"Bidirectional: the forward and backward layers need the same "
                    f"`{name}`; received {getattr(forward, name)} (forward) and "
                    f"{getattr(backward, name)} (backward)."
                )

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        build_sublayer(self.forward_layer, tuple(sequences_shape))
        build_sublayer(self.backward_layer, tuple(sequences_shape))

    def call(
        self,
        sequences: Any,
        initial_state: Any = None,
        mask: Any = None,
        training: bool | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if self.forward_layer._call_has_training:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state = list(initial_state[:half])
            backward_state = list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states: tuple = ()
        if self.return_state:
            states = (*y[1:], *y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        y = y.astype(self.compute_dtype)
        y_rev = y_rev.astype(self.compute_dtype)
        if self.return_sequences:
            y_rev = jnp.flip(y_rev, axis=1)
        output = _MERGES[self.merge_mode](y, y_rev)
        if not self.return_state:
            return output
        if self.merge_mode is None:
            return (*output, *states)
        return (output, *states)

    def compute_output_shape(
        self, sequences_shape: Any, initial_state_shape: Any = None
    ) -> Any:
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes: tuple = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*output_shape[:-1], output_shape[-1] * 2)
        if self.merge_mode is None:
            outputs: tuple = (tuple(output_shape), tuple(output_shape))
        else:
            outputs = (tuple(output_shape),)
        if self.return_state:
            return (*outputs, *state_shapes, *state_shapes)
        return outputs if self.merge_mode is None else outputs[0]

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            states = self.forward_layer.state_size + self.backward_layer.state_size
            return masks + [None] * len(states)
        return masks if self.merge_mode is None else output_mask

    @property
    def states(self) -> tuple | None:
        """Both layers' stateful states (forward then backward), or None."""
        forward, backward = self.forward_layer.states, self.backward_layer.states
        return (*forward, *backward) if forward and backward else None

    def reset_state(self) -> None:
        """Reset both layers' stateful states to zeros."""
        if not self.stateful:
            raise AttributeError(f"Layer {self.name!r} is not stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self) -> None:
        """Alias of ``reset_state``."""
        self.reset_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "backward_layer": serialize_layer(self.backward_layer),
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Bidirectional:
        """Rebuild both layers from their configs."""
        config = dict(config)
        for key in ("layer", "backward_layer"):
            if config.get(key) is not None:
                sub = {k: v for k, v in config[key].items() if k != "build_config"}
                config[key] = deserialize_layer(sub, custom_objects)
        return super(Wrapper, cls).from_config(config)
