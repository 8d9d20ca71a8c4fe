"""The task registry: bundled tasks (read from ``data/index.json``) and tasks users register."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from biorft.datasets._io import did_you_mean
from biorft.errors import DatasetError
from biorft.schema import DatasetCard, TaskInfo, TaskSpec

if TYPE_CHECKING:
    from biorft.datasets._dataset import TaskDataset

__all__ = ["list_tasks", "load_task", "register_task", "unregister_task"]

Loader = Callable[[], "TaskDataset"]
_USER: dict[str, dict[str, tuple[TaskInfo, Loader]]] = {}
_CACHE: dict[tuple[str, str], TaskDataset] = {}
_LOCK = threading.Lock()


def _resource(rel: str) -> Any:
    node: Any = resources.files("biorft.datasets").joinpath("data")
    for part in rel.split("/"):
        node = node.joinpath(part)
    return node


@lru_cache(maxsize=1)
def _index() -> dict[str, Any]:
    text = _resource("index.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _bundled() -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in _index()["tasks"]:
        out.setdefault(entry["name"], {})[entry["version"]] = entry
    return out


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in v.replace("-", ".").replace("+", ".").split(".")[:3])


def list_tasks(*, include_remote: bool = False) -> list[TaskInfo]:
    """List the bundled and user-registered tasks (every version), sorted by name then version.

    Args:
        include_remote: Also list the tasks built from optional online sources on first use (the 22 ``tdc/...``
            tasks of the TDC ADMET benchmark group, ``genes/tf_regulatory_range``, ``genes/notch1_targets``);
            listing them downloads nothing.

    Returns:
        One [`TaskInfo`][biorft.schema.TaskInfo] per task version: name, domain, kind, version, size, licence.

    Examples:
        >>> [t.name for t in list_tasks() if t.name.startswith("molecules/") and t.name.count("/") == 1]
        ['molecules/bbb_b3db', 'molecules/solubility_aqsoldb', 'molecules/tox21']
        >>> len([t for t in list_tasks() if t.name.startswith("molecules/tox21/")])  # one binary task per assay
        12
    """
    infos: dict[tuple[str, str], TaskInfo] = {}
    for name, versions in _bundled().items():
        for version, e in versions.items():
            infos[(name, version)] = TaskInfo(
                name=name,
                domain=e["domain"],
                kind=e["kind"],
                version=version,
                size=e["size"],
                licence=e["licence"],
                description=e["description"],
            )
    with _LOCK:
        for name, registered in _USER.items():
            for version, (info, _) in registered.items():
                infos[(name, version)] = info
    if include_remote:
        from biorft.datasets._geneformer import GENEFORMER_DOWNLOADS
        from biorft.datasets._tdc import TDC_DATASETS, task_info_fields

        for d in TDC_DATASETS:
            infos.setdefault((d.task_name, "1.0.0"), TaskInfo(**task_info_fields(d)))
        for g in GENEFORMER_DOWNLOADS.values():
            info = TaskInfo(name=g.task_name, domain="genes", kind="binary", version="1.0.0", size=0,
                            licence="Apache-2.0", description=f"{g.description} (downloaded on first use)")  # fmt: skip
            infos.setdefault((g.task_name, "1.0.0"), info)
    return [infos[k] for k in sorted(infos, key=lambda k: (k[0], _version_key(k[1])))]


def _load_bundled(entry: dict[str, Any]) -> TaskDataset:
    import polars as pl

    from biorft.datasets._dataset import TaskDataset

    data = _resource(entry["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise DatasetError(
            f"bundled file {entry['file']} of {entry['name']} has sha256 {digest}, expected {entry['sha256']}; "
            "the installation is damaged: reinstall biorft"
        )
    import io

    frame = pl.read_parquet(io.BytesIO(data))
    card = DatasetCard.model_validate_json(_resource(entry["card"]).read_text(encoding="utf-8"))
    spec = TaskSpec.model_validate(entry["spec"])
    return TaskDataset(spec, frame, card)


def load_task(name: str, version: str | None = None) -> TaskDataset:
    """Load a bundled or registered task (offline; cached per process).

    Args:
        name: Task name, e.g. ``"genes/dosage_sensitive_tfs"``.
        version: A version such as ``"1.0.0"``; None loads the newest.

    Returns:
        The [`TaskDataset`][biorft.datasets.TaskDataset].

    Raises:
        DatasetError: Unknown name (with a did-you-mean) or version (listing those available).

    Examples:
        >>> ds = load_task("genes/dosage_sensitive_tfs")
        >>> ds.spec.kind.value, len(ds), ds.card.licence
        ('binary', 488, 'Apache-2.0')
        >>> load_task("genes/dosage_sensitive_tf")
        Traceback (most recent call last):
        ...
        biorft.errors.DatasetError: unknown task 'genes/dosage_sensitive_tf' (did you mean \
'genes/dosage_sensitive_tfs'?); see biorft.list_tasks() or `biorft tasks`
    """
    bundled = _bundled()
    with _LOCK:
        user = dict(_USER.get(name, {}))
    versions = sorted({*bundled.get(name, {}), *user}, key=_version_key)
    if not versions and _is_remote(name):
        return _load_remote(name, version)
    if not versions:
        known = {*bundled, *_USER}
        raise DatasetError(
            f"unknown task {name!r}{did_you_mean(name, known)}; see biorft.list_tasks() or `biorft tasks`"
        )
    chosen = version or versions[-1]
    if chosen not in versions:
        raise DatasetError(f"task {name!r} has no version {chosen!r}; available: {versions}")
    key = (name, chosen)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    ds = user[chosen][1]() if chosen in user else _load_bundled(bundled[name][chosen])
    with _LOCK:
        _CACHE[key] = ds
    return ds


def _is_remote(name: str) -> bool:
    from biorft.datasets._geneformer import GENEFORMER_DOWNLOADS

    return name.lower().startswith("tdc/") or name in GENEFORMER_DOWNLOADS


def _load_remote(name: str, version: str | None) -> TaskDataset:
    """A task built from an optional online source (downloaded once, cached, verified)."""
    from biorft.datasets._geneformer import GENEFORMER_DOWNLOADS, load_geneformer
    from biorft.datasets._tdc import dataset_for, load_tdc

    found = dataset_for(name)
    canonical = found.task_name if found else name
    if version not in (None, "1.0.0"):
        raise DatasetError(f"task {canonical!r} has no version {version!r}; available: ['1.0.0']")
    key = (canonical, "1.0.0")
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    ds = load_geneformer(name) if name in GENEFORMER_DOWNLOADS else load_tdc(name)
    with _LOCK:
        _CACHE[key] = ds
    return ds


def register_task(
    task: TaskDataset | Loader,
    *,
    name: str | None = None,
    version: str | None = None,
    overwrite: bool = False,
) -> TaskInfo:
    """Register a user task so [`load_task`][biorft.datasets.load_task] and ``biorft`` commands in this process find it.

    Args:
        task: A built [`TaskDataset`][biorft.datasets.TaskDataset], or a zero-argument function returning one (called
            lazily on the first [`load_task`][biorft.datasets.load_task]; then ``name`` and ``version`` are required).
        name: Registry name (default: ``task.spec.name``).
        version: Version (default: ``task.spec.version``).
        overwrite: Replace an existing registration (bundled tasks can be shadowed only with this).

    Returns:
        The task's [`TaskInfo`][biorft.schema.TaskInfo].

    Raises:
        DatasetError: When the name and version are taken and ``overwrite`` is False.

    Examples:
        >>> import polars as pl
        >>> from biorft.datasets import molecule_task
        >>> ds = molecule_task(pl.DataFrame({"smiles": ["CCO", "CCN"], "y": [0.1, 0.2]}), target="y",
        ...                    kind="regression", name="user/example")
        >>> register_task(ds).size
        2
        >>> len(load_task("user/example"))
        2
        >>> unregister_task("user/example")
    """
    from biorft.datasets._dataset import TaskDataset

    if isinstance(task, TaskDataset):
        ds = task
        name = name or ds.spec.name
        version = version or ds.spec.version
        info = TaskInfo(
            name=name,
            domain=ds.spec.domain,
            kind=ds.spec.kind,
            version=version,
            size=len(ds),
            licence=ds.card.licence,
            description=ds.spec.description,
        )

        def loader() -> TaskDataset:
            return ds
    elif callable(task):
        if not name or not version:
            raise DatasetError("register_task(loader) needs name= and version= (the loader runs lazily)")
        built: list[TaskDataset] = []

        def loader() -> TaskDataset:
            if not built:
                built.append(task())
            return built[0]

        info = TaskInfo(name=name, domain="other", kind="binary", version=version, size=0, licence="unknown")
    else:
        raise DatasetError(f"register_task needs a TaskDataset or a function returning one, got {type(task)}")
    TaskSpec(name=name, version=version, domain="other", kind="regression", instructions="x")  # validates
    taken = version in _bundled().get(name, {}) or version in _USER.get(name, {})
    if taken and not overwrite:
        raise DatasetError(f"task {name!r} version {version!r} is already registered; pass overwrite=True")
    with _LOCK:
        _USER.setdefault(name, {})[version] = (info, loader)
        _CACHE.pop((name, version), None)
    return info


def unregister_task(name: str, version: str | None = None) -> None:
    """Remove a user registration (every version when ``version`` is None); bundled tasks stay.

    Examples:
        >>> unregister_task("user/never-registered")
    """
    with _LOCK:
        versions = _USER.get(name, {})
        for v in [version] if version else list(versions):
            versions.pop(v, None)
            _CACHE.pop((name, v), None)
        if not versions:
            _USER.pop(name, None)
