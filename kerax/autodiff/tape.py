"""``GradientTape``: TensorFlow's imperative autodiff, eager and inside kerax.function."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff import recording
from kerax.autodiff.recording import Tensor
from kerax.autodiff.variable import Variable


class _Node:
    __slots__ = ("fn", "inputs", "values", "out_treedef", "outputs")

    def __init__(self, fn, inputs, values, out_treedef, outputs):  # noqa: ANN001
        self.fn = fn
        self.inputs = inputs  # leaves as passed (Tensor, Variable, array, other)
        self.values = values  # their values at record time
        self.out_treedef = out_treedef
        self.outputs = outputs  # flat list of output Tensors (or non-array leaves)


def _is_source_leaf(x: Any) -> bool:
    return isinstance(x, (Variable, Tensor))


class GradientTape:
    """Records kerax ops so that gradients can be taken afterwards.

    What is recorded: kerax ops (``kerax.ops``, the TF-style aliases), operators
    on Variables and tape tensors, layer and model calls, losses. Plain
    ``jax.numpy`` calls on raw arrays are not recorded.

    Args:
        persistent: allow several ``gradient`` calls.
        watch_accessed_variables: watch every trainable Variable that is read.

    Example:
        >>> x = Variable(3.0)
        >>> with GradientTape() as tape:
        ...     y = x * x
        >>> float(tape.gradient(y, x))
        6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._used = False
        self._reset()

    def _reset(self) -> None:
        self._nodes: list[_Node] = []
        self._producer: dict[int, tuple[_Node, int]] = {}
        self._keep: dict[int, Any] = {}  # keeps watched and produced objects alive
        self._watched: dict[int, Any] = {}

    # -- context --------------------------------------------------------
    def __enter__(self) -> GradientTape:
        recording.active_tapes().append(self)
        self._recording = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._recording = False
        tapes = recording.active_tapes()
        if self in tapes:
            tapes.remove(self)

    @contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Temporarily stop recording within the tape's block."""
        if not self._recording:
            raise RuntimeError("stop_recording() needs a tape that is recording.")
        self._recording = False
        try:
            yield
        finally:
            self._recording = True

    def reset(self) -> None:
        """Forget everything recorded so far."""
        self._reset()

    # -- watching -------------------------------------------------------
    def watch(self, tensor: Any) -> None:
        """Track ``tensor`` (a Variable, a tape Tensor, an array, or a structure)."""
        for leaf in jax.tree_util.tree_leaves(tensor, is_leaf=_is_source_leaf):
            if isinstance(leaf, Variable) or isinstance(leaf, Tensor):
                pass
            elif isinstance(leaf, jax.Array):
                pass
            else:
                raise ValueError(
                    f"GradientTape.watch expects Variables or tensors, received "
                    f"{type(leaf).__name__}. Wrap values with kerax.constant()."
                )
            dtype = jnp.dtype(leaf.dtype)
            if not jnp.issubdtype(dtype, jnp.inexact):
                raise ValueError(
                    f"Cannot watch a tensor of dtype {dtype}: gradients need a "
                    "floating point (or complex) dtype."
                )
            self._watched[id(leaf)] = leaf
            self._keep[id(leaf)] = leaf

    def watched_variables(self) -> list[Variable]:
        """The Variables this tape has watched, in the order first seen."""
        return [v for v in self._watched.values() if isinstance(v, Variable)]

    def _tracks(self, leaf: Any) -> bool:
        key = id(leaf)
        if key in self._producer or key in self._watched:
            return True
        if (
            self._watch_accessed
            and isinstance(leaf, Variable)
            and leaf.trainable
            and jnp.issubdtype(jnp.dtype(leaf.dtype), jnp.inexact)
        ):
            self._watched[key] = leaf
            self._keep[key] = leaf
            return True
        return False

    def _tracks_any(self, leaves: list[Any]) -> bool:
        tracked = False
        for leaf in leaves:
            if _is_source_leaf(leaf) or isinstance(leaf, jax.Array):
                tracked = self._tracks(leaf) or tracked
        return tracked

    def _add_node(self, fn, leaves, values, out_treedef, outputs) -> None:  # noqa: ANN001
        node = _Node(fn, list(leaves), list(values), out_treedef, outputs)
        self._nodes.append(node)
        for index, out in enumerate(outputs):
            if isinstance(out, Tensor):
                self._producer[id(out)] = (node, index)
                self._keep[id(out)] = out

    # -- replay ---------------------------------------------------------
    def _replay_fn(self, targets: list[Any], sources: list[Any]):  # noqa: ANN202
        """Build f(source_values) -> target values, and which sources connect."""
        source_ids = {id(s): i for i, s in enumerate(sources)}
        # Nodes that are ancestors of the targets, in recording order.
        needed: set[int] = set()
        stack = [t for t in targets if id(t) in self._producer]
        seen: set[int] = set()
        while stack:
            tensor = stack.pop()
            if id(tensor) in seen or id(tensor) in source_ids:
                continue
            seen.add(id(tensor))
            producer = self._producer.get(id(tensor))
            if producer is None:
                continue
            node = producer[0]
            if id(node) in needed:
                continue
            needed.add(id(node))
            stack.extend(x for x in node.inputs if id(x) in self._producer)
        ordered = [n for n in self._nodes if id(n) in needed]
        # Keep only the nodes downstream of a source.
        live: set[int] = set(source_ids)
        active: list[_Node] = []
        connected: set[int] = set()
        for node in ordered:
            hits = [id(x) for x in node.inputs if id(x) in live]
            if hits:
                active.append(node)
                for key in hits:
                    if key in source_ids:
                        connected.add(source_ids[key])
                live.update(id(o) for o in node.outputs)
        for target in targets:
            if id(target) in source_ids:
                connected.add(source_ids[id(target)])
        # Sources reached only through nodes whose outputs are not live get no
        # gradient; an input of an active node may feed only a discarded path,
        # jax.vjp then returns zeros for it, which we report as connected.

        def replay(
            source_values: list[Any], constants: dict | None = None
        ) -> list[Any]:
            env = dict(constants or {})
            env.update((id(s), v) for s, v in zip(sources, source_values))
            with recording.paused():
                for node in active:
                    args = [env.get(id(x), v) for x, v in zip(node.inputs, node.values)]
                    out = node.fn(*args)
                    for tensor, value in zip(
                        node.outputs, jax.tree_util.tree_leaves(out)
                    ):
                        env[id(tensor)] = value
            return [env.get(id(t), _value_of(t)) for t in targets]

        return replay, connected, active

    def _prepare(self, target: Any, sources: Any, what: str):  # noqa: ANN202
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one "
                "set of gradients (or jacobians). Use GradientTape(persistent=True)."
            )
        self._used = True
        target_leaves = jax.tree_util.tree_leaves(target, is_leaf=_is_source_leaf)
        source_leaves, source_tree = jax.tree_util.tree_flatten(
            sources, is_leaf=_is_source_leaf
        )
        if not target_leaves:
            raise ValueError(f"{what}: the target is empty.")
        for index, source in enumerate(source_leaves):
            if not (_is_source_leaf(source) or isinstance(source, jax.Array)):
                raise ValueError(
                    f"{what}: source {index} is a {type(source).__name__}; sources "
                    "must be Variables or tensors watched by the tape."
                )
            dtype = jnp.dtype(source.dtype)
            if not jnp.issubdtype(dtype, jnp.inexact):
                raise ValueError(
                    f"{what}: source {index} ({getattr(source, 'path', 'tensor')}) "
                    f"has dtype {dtype}, which is not differentiable."
                )
        source_ids = {id(s) for s in source_leaves}
        for index, t in enumerate(target_leaves):
            known = id(t) in self._producer or id(t) in source_ids
            if not known and not (isinstance(t, Tensor) or isinstance(t, Variable)):
                raise ValueError(
                    f"{what}: target {index} was not computed under this tape. "
                    "Compute it inside the `with GradientTape()` block using kerax "
                    "ops (plain jax.numpy calls on arrays are not recorded)."
                )
        return target_leaves, source_leaves, source_tree

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str = "none",
    ) -> Any:
        """Gradients of ``target`` (summed over its elements) w.r.t. ``sources``.

        Returns the structure of ``sources``; ``None`` for an unconnected source
        unless ``unconnected_gradients="zero"``.
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "unconnected_gradients must be 'none' or 'zero', received "
                f"{unconnected_gradients!r}."
            )
        targets, source_leaves, source_tree = self._prepare(target, sources, "gradient")
        if output_gradients is not None and not isinstance(target, (list, tuple, dict)):
            cotangents = [_value_of(output_gradients)]
        elif output_gradients is not None:
            cotangents = [
                _value_of(c) if c is not None else None
                for c in jax.tree_util.tree_leaves(
                    output_gradients, is_leaf=lambda x: x is None or _is_source_leaf(x)
                )
            ]
            if len(cotangents) != len(targets):
                raise ValueError(
                    f"output_gradients has {len(cotangents)} entries for "
                    f"{len(targets)} targets."
                )
        else:
            cotangents = [None] * len(targets)
        unique: list[Any] = []
        position: dict[int, int] = {}
        for source in source_leaves:
            if id(source) not in position:
                position[id(source)] = len(unique)
                unique.append(source)
        replay, connected, active = self._replay_fn(targets, unique)
        constants = _constant_inputs(active, unique)

        def grads_of(*flat: Any) -> list[Any]:
            source_values = list(flat[: len(unique)])
            const_env = dict(zip((id(c) for c in constants), flat[len(unique) :]))
            outs, vjp = jax.vjp(lambda vals: replay(vals, const_env), source_values)
            cts = [
                jnp.ones_like(o) if c is None else jnp.asarray(c, o.dtype)
                for o, c in zip(outs, cotangents)
            ]
            return list(vjp(cts)[0])

        grads = recording.apply(grads_of, *unique, *constants)
        result = []
        for source in source_leaves:
            index = position[id(source)]
            tracked = id(source) in self._watched or id(source) in self._producer
            if index in connected and tracked:
                result.append(grads[index])
            elif unconnected_gradients == "zero":
                result.append(jnp.zeros(source.shape, source.dtype))
            else:
                result.append(None)
        if not self._persistent:
            self._reset()
        return jax.tree_util.tree_unflatten(source_tree, result)

    def jacobian(
        self, target: Any, sources: Any, unconnected_gradients: str = "none"
    ) -> Any:
        """Full Jacobian: shape ``target.shape + source.shape`` per source."""
        targets, source_leaves, source_tree = self._prepare(target, sources, "jacobian")
        if len(targets) != 1:
            raise ValueError("jacobian expects a single target tensor.")
        replay, connected, _ = self._replay_fn(targets, source_leaves)
        values = [_value_of(s) for s in source_leaves]
        jac = jax.jacrev(lambda vals: replay(vals)[0])(values)
        result = []
        for index, (source, j) in enumerate(zip(source_leaves, jac)):
            if index in connected:
                result.append(j)
            elif unconnected_gradients == "zero":
                result.append(jnp.zeros(tuple(targets[0].shape) + tuple(source.shape)))
            else:
                result.append(None)
        if not self._persistent:
            self._reset()
        return jax.tree_util.tree_unflatten(source_tree, result)

    def batch_jacobian(self, target: Any, source: Any) -> Any:
        """Per-example Jacobian: target [B, ...] and source [B, ...]."""
        full = self.jacobian(target, source)
        if full is None:
            return None
        batch = int(target.shape[0])
        if int(source.shape[0]) != batch:
            raise ValueError(
                f"batch_jacobian: target batch {batch} != source batch "
                f"{source.shape[0]}."
            )
        t_rest = len(target.shape) - 1
        moved = jnp.moveaxis(full, 1 + t_rest, 1)  # [B, B, t..., s...]
        index = jnp.arange(batch)
        return moved[index, index]


def _value_of(x: Any) -> Any:
    unwrap = getattr(x, "__kerax_value__", None)
    return x if unwrap is None else unwrap()


def _constant_inputs(active: list[_Node], sources: list[Any]) -> list[Any]:
    """Tracked inputs of the replayed nodes that are neither sources nor replayed.

    They enter the gradient computation as explicit inputs so that an outer tape
    can differentiate through them (higher-order gradients).
    """
    produced = {id(o) for n in active for o in n.outputs}
    source_ids = {id(s) for s in sources}
    found: dict[int, Any] = {}
    for node in active:
        for leaf in node.inputs:
            key = id(leaf)
            if key in produced or key in source_ids or key in found:
                continue
            # Tensors are immutable; trainable Variables are what an outer tape
            # differentiates through. Other state (seeds, statistics) may have
            # changed since recording and keeps its recorded value.
            if isinstance(leaf, Tensor) or (
                isinstance(leaf, Variable) and leaf.trainable
            ):
                found[key] = leaf
    return list(found.values())
