"""The ``kerax`` command line: ``info``, ``summary``, ``predict``, ``convert``.

Run as ``python -m kerax <command>`` or through the ``kerax`` console script.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _info(_: argparse.Namespace) -> int:
    import jax

    import kerax

    print(f"kerax      {kerax.__version__}")
    print(f"python     {platform.python_version()} ({platform.platform()})")
    for package in ("jax", "jaxlib", "numpy", "optax", "h5py", "keras"):
        print(f"{package:<10} {_version(package)}")
    print(f"backend    {jax.default_backend()}")
    for device in jax.devices():
        print(f"device     {device.id}: {device.platform} {device.device_kind}")
    return 0


def _load(path: str):
    if not Path(path).is_file():
        raise SystemExit(f"kerax: no such model file: {path}")
    try:
        from kerax.saving import load_model
    except ImportError as error:
        raise SystemExit(
            f"kerax: this build cannot load models (kerax.saving: {error})."
        ) from error
    return load_model(path)


def _summary(arguments: argparse.Namespace) -> int:
    model = _load(arguments.model)
    model.summary(
        expand_nested=arguments.expand_nested,
        show_trainable=arguments.show_trainable,
    )
    return 0


def _predict(arguments: argparse.Namespace) -> int:
    import numpy as np

    model = _load(arguments.model)
    if not Path(arguments.data).is_file():
        raise SystemExit(f"kerax: no such data file: {arguments.data}")
    try:
        data = np.load(arguments.data, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise SystemExit(
            f"kerax: cannot read {arguments.data} as .npy/.npz: {error}"
        ) from None
    if isinstance(data, np.lib.npyio.NpzFile):
        inputs = [data[name] for name in data.files]
        inputs = inputs[0] if len(inputs) == 1 else inputs
    else:
        inputs = data
    predictions = model.predict(inputs, batch_size=arguments.batch_size, verbose=0)
    if arguments.output:
        np.save(arguments.output, np.asarray(predictions))
        print(
            f"saved predictions of shape {np.shape(predictions)} to {arguments.output}"
        )
    else:
        with np.printoptions(threshold=50, precision=5, suppress=True):
            print(np.asarray(predictions))
    return 0


def _convert(arguments: argparse.Namespace) -> int:
    """Rewrite an older model file (legacy ``.h5``, Keras 2 ``.keras``) as ``.keras``."""
    if not Path(arguments.model).is_file():
        raise SystemExit(f"kerax: no such model file: {arguments.model}")
    if Path(arguments.output).exists() and not arguments.force:
        raise SystemExit(
            f"kerax convert: {arguments.output} exists; pass --force to replace it."
        )
    from kerax.saving.keras2_convert import convert

    try:
        model = convert(arguments.model, arguments.output, overwrite=arguments.force)
    except (ValueError, TypeError) as error:
        raise SystemExit(f"kerax convert: {error}") from error
    print(f"wrote {arguments.output} ({type(model).__name__} {model.name!r})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kerax", description="kerax: the Keras API on JAX."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="versions and devices").set_defaults(run=_info)
    summary = commands.add_parser("summary", help="print a saved model's summary")
    summary.add_argument("model", help="a .keras file")
    summary.add_argument("--expand-nested", action="store_true")
    summary.add_argument("--show-trainable", action="store_true")
    summary.set_defaults(run=_summary)
    predict = commands.add_parser("predict", help="run a saved model on a .npy file")
    predict.add_argument("model", help="a .keras file")
    predict.add_argument("data", help="a .npy array (or .npz, one array per input)")
    predict.add_argument("--batch-size", type=int, default=32)
    predict.add_argument("-o", "--output", help="write predictions to this .npy file")
    predict.set_defaults(run=_predict)
    convert = commands.add_parser(
        "convert",
        help="rewrite a legacy .h5 or Keras 2 .keras file as a current .keras",
    )
    convert.add_argument("model", help="the file to convert")
    convert.add_argument("output", help="the .keras file to write")
    convert.add_argument(
        "-f", "--force", action="store_true", help="replace an existing output file"
    )
    convert.set_defaults(run=_convert)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kerax`` command line with ``argv`` (default: ``sys.argv[1:]``)."""
    arguments = _parser().parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
