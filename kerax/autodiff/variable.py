"""``Variable``: a named cell holding a JAX array, read and written through scopes."""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.autodiff import state_scope
from kerax.autodiff.arithmetic import ArrayArithmetic
from kerax.backend.dtypes import standardize_dtype
from kerax.backend.tensors import convert_to_tensor

_uid = itertools.count()
_last_uid = [-1]


def creation_count() -> int:
    """How many Variables were created so far (changes when any is created)."""
    return _last_uid[0]


def _resolve_initializer(initializer: Any) -> Any:
    if isinstance(initializer, str):
        from kerax import initializers  # resolved lazily: initializers sit above

        return initializers.get(initializer)
    return initializer


def _keep_layout(value: jax.Array, current: Any) -> jax.Array:
    """``value`` laid out like ``current`` when that is spread over several
    devices (a variable placed by a distribution keeps its sharding)."""
    sharding = getattr(current, "sharding", None)
    if sharding is None or len(sharding.device_set) < 2:
        return value
    if value.sharding.is_equivalent_to(sharding, value.ndim):
        return value
    return jax.device_put(value, sharding)


class Variable(ArrayArithmetic):
    """A mutable, named array: weights, statistics, optimizer slots, counters.

    Args:
        initializer: an initial value (array-like) or a callable
            ``initializer(shape, dtype)`` (an initializer object or its name).
        shape: the shape, required when ``initializer`` is a callable.
        dtype: the dtype; by default the value's own (Python floats: floatx).
        trainable: whether gradients should update it.
        name: short name; ``path`` adds the owning layers' names in front.

    Example:
        >>> v = Variable(3.0)
        >>> v.assign_add(1.0).numpy()
        array(4., dtype=float32)
    """

    def __init__(
        self,
        initializer: Any = None,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
        initial_value: Any = None,
        constraint: Any = None,
    ) -> None:
        if initializer is None:
            initializer = initial_value
        if initializer is None:
            raise ValueError("Variable needs an initializer or an initial value.")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                f"Variable name must be a string without '/', received {name!r}."
            )
        self._uid = next(_uid)
        _last_uid[0] = self._uid
        self.name = name or "variable"
        self.path = self.name
        self.trainable = bool(trainable)
        self.autocast = autocast
        self.aggregation = aggregation
        self.synchronization = synchronization
        self.constraint = constraint
        self.regularizer = None
        initializer = _resolve_initializer(initializer)
        if callable(initializer) and not isinstance(
            initializer, (jax.Array, np.ndarray)
        ):
            if shape is None:
                raise ValueError(
                    f"Variable {self.name!r}: an initializer callable needs `shape`."
                )
            shape = tuple(int(d) for d in shape)
            dtype = standardize_dtype(dtype)
            # Initial values are computed for real even while a function is being
            # traced (a layer built inside jax.eval_shape or a trace).
            with jax.ensure_compile_time_eval():
                value = jnp.asarray(initializer(shape, dtype=dtype), dtype=dtype)
        else:
            with jax.ensure_compile_time_eval():
                value = convert_to_tensor(initializer, dtype=dtype)
            if value is initializer:
                value = jnp.copy(
                    value
                )  # never share (and later donate) a caller's buffer
            if shape is not None and tuple(value.shape) != tuple(shape):
                raise ValueError(
                    f"Variable {self.name!r}: initial value has shape "
                    f"{tuple(value.shape)} but shape={tuple(shape)} was given."
                )
        if isinstance(value, jax.core.Tracer):
            raise RuntimeError(
                f"Variable {self.name!r} got a traced initial value: variables "
                "must be created outside compiled functions."
            )
        self._value = value
        self._shape = tuple(value.shape)
        self._dtype = str(value.dtype)
        state_scope.on_create(self)

    # -- value access ---------------------------------------------------
    def __kerax_value__(self) -> jax.Array:
        return state_scope.read(self)

    @property
    def value(self) -> jax.Array:
        """The current array (as seen by the active state scope, if any)."""
        return self.__kerax_value__()

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def size(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    def _check(self, value: Any) -> jax.Array:
        value = convert_to_tensor(value)
        if tuple(value.shape) != self._shape:
            raise ValueError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable "
                f"{self.path!r} of shape {self._shape}."
            )
        if str(value.dtype) != self._dtype:
            src = jnp.dtype(value.dtype)
            dst = jnp.dtype(self._dtype)
            lossless = jnp.can_cast(src, dst, casting="same_kind") or (
                jnp.issubdtype(src, jnp.integer) and jnp.issubdtype(dst, jnp.floating)
            )
            if not lossless:
                raise ValueError(
                    f"Cannot assign a value of dtype {value.dtype} to variable "
                    f"{self.path!r} of dtype {self._dtype}."
                )
            value = value.astype(self._dtype)
        return value

    def assign(self, value: Any) -> Variable:
        """Set the value (same shape; dtype cast only when it loses nothing)."""
        shared = isinstance(value, jax.Array) or hasattr(value, "__kerax_value__")
        value = self._check(value)
        if not state_scope.write(self, value):
            if isinstance(value, jax.core.Tracer):
                raise RuntimeError(
                    f"Variable {self.path!r} was assigned a traced value outside "
                    "a state scope. Inside jax.jit use kerax.function or "
                    "stateless_call so that the new value is returned."
                )
            value = _keep_layout(value, self._value)
            if shared and value is not self._value:
                # A caller may still hold this buffer (device_put may share it
                # too); fit donates variable buffers, so keep a private copy.
                value = jnp.copy(value)
            self._value = value
        return self

    def assign_add(self, delta: Any) -> Variable:
        """Add ``delta`` to the value."""
        return self.assign(self.value + convert_to_tensor(delta, self._dtype))

    def assign_sub(self, delta: Any) -> Variable:
        """Subtract ``delta`` from the value."""
        return self.assign(self.value - convert_to_tensor(delta, self._dtype))

    def read_value(self) -> jax.Array:
        return self.value

    def ref(self) -> Variable:
        """Return self: Variables hash by identity (TF's ``ref()`` idiom)."""
        return self

    def __repr__(self) -> str:
        try:
            value = np.asarray(self._value)
        except Exception:  # pragma: no cover - deleted buffers
            value = "<unavailable>"
        return (
            f"<Variable path={self.path}, shape={self._shape}, "
            f"dtype={self._dtype}, value={value}>"
        )
