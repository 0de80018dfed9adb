"""What a global that a pickle imports can do when loading calls it: safe, dangerous or unknown.

Unpickling imports each global a file names and calls it with arguments the
file chooses, so a global is judged by what it *can* do:

* **dangerous**: it can run code, run commands or spawn processes, write or delete
  files, load another pickle, import any module or reach any attribute, open a
  network connection, or load native code. A name the kit cannot read before
  loading (computed while loading) is dangerous too, and so is any dotted name
  that reaches into interpreter internals (``__globals__``, ``__builtins__``...).
* **safe**: the short allowlist a checkpoint needs to rebuild tensors and plain
  data. The torch part follows PyTorch's own ``weights_only`` unpickler
  (``_get_allowed_globals`` and ``_tensor_rebuild_functions`` in
  ``torch/_weights_only_unpickler.py``, pytorch/pytorch commit 00f730b6); the numpy
  part is what ``pickle`` writes for arrays, dtypes and scalars; the builtins are
  what protocols 0-5 write for sets, bytes, complex numbers, slices and ranges.
* **suspicious**: everything else. The allowlist decides "safe"; the table of
  capabilities only explains *why* a global is dangerous.
"""

from __future__ import annotations

RUNS_CODE = "runs Python code"
RUNS_COMMANDS = "runs commands or starts processes"
FILES = "opens, writes or deletes files"
LOADS_PICKLE = "loads another pickle, which this scan cannot see"
IMPORTS = "imports any module or reaches any attribute"
CALLS = "calls methods or reads attributes by name"
NETWORK = "opens network connections"
NATIVE = "loads native code or touches raw memory"
COMPUTED = "its name is computed while loading, so nobody can tell before loading what it is"
INTERNALS = "reaches interpreter internals through a dunder attribute"

# Old module names a pickle may use, as Python 3's unpickler maps them (fix_imports) or
# C modules that re-export a Python module's callables.
ALIASES = {
    "__builtin__": "builtins", "exceptions": "builtins", "copy_reg": "copyreg", "cPickle": "pickle", "_pickle": "pickle",
    "_io": "io", "_operator": "operator", "posix": "os", "nt": "os", "_posixsubprocess": "subprocess",
    "commands": "subprocess", "popen2": "subprocess", "urllib2": "urllib", "httplib": "http", "_ctypes": "ctypes",
    "_winapi": "subprocess", "_socket": "socket", "_ssl": "ssl", "_thread": "threading", "thread": "threading",
    "_multiprocessing": "multiprocessing", "_posixshmem": "multiprocessing", "_functools": "functools",
    "__main__": "__main__",
}

# module -> names it exports that are dangerous ("*": the whole module), and why.
DANGEROUS: dict[str, tuple[str | frozenset[str], str]] = {
    "os": ("*", RUNS_COMMANDS + ", and " + FILES),
    "subprocess": ("*", RUNS_COMMANDS),
    "pty": ("*", RUNS_COMMANDS),
    "multiprocessing": ("*", RUNS_COMMANDS),
    "concurrent": ("*", RUNS_COMMANDS),
    "asyncio": ("*", RUNS_COMMANDS + ", and " + NETWORK),
    "threading": ("*", "runs callables in new threads"),
    "signal": ("*", "installs signal handlers that run code later"),
    "uuid": ("*", RUNS_COMMANDS),  # uuid._get_command_stdout
    "platform": ("*", RUNS_COMMANDS),
    "_osx_support": ("*", RUNS_COMMANDS),
    "_aix_support": ("*", RUNS_COMMANDS),
    "imaplib": ("*", RUNS_COMMANDS + ", and " + NETWORK),  # IMAP4_stream runs a shell command
    "ensurepip": ("*", RUNS_COMMANDS),
    "pip": ("*", RUNS_COMMANDS),
    "venv": ("*", RUNS_COMMANDS),
    "distutils": ("*", RUNS_COMMANDS + ", and " + FILES),
    "setuptools": ("*", RUNS_COMMANDS + ", and " + FILES),
    "webbrowser": ("*", RUNS_COMMANDS),
    "code": ("*", RUNS_CODE),
    "codeop": ("*", RUNS_CODE),
    "runpy": ("*", RUNS_CODE),
    "timeit": ("*", RUNS_CODE),
    "profile": ("*", RUNS_CODE),
    "cProfile": ("*", RUNS_CODE),
    "trace": ("*", RUNS_CODE),
    "pdb": ("*", RUNS_CODE),
    "bdb": ("*", RUNS_CODE),
    "doctest": ("*", RUNS_CODE),
    "idlelib": ("*", RUNS_CODE),
    "_pyrepl": ("*", RUNS_CODE),
    "rlcompleter": ("*", RUNS_CODE),
    "types": ("*", RUNS_CODE),  # FunctionType, CodeType: build functions from bytes
    "marshal": ("*", RUNS_CODE),  # code objects from bytes
    "IPython": ("*", RUNS_CODE),
    "jinja2": ("*", RUNS_CODE),
    "yaml": ("*", RUNS_CODE),
    "logging": ("*", RUNS_CODE + ", and " + FILES),  # logging.config.listen runs code; FileHandler writes files
    "test": ("*", RUNS_COMMANDS),
    "numpy.f2py": ("*", RUNS_CODE),
    "numpy.testing": ("*", RUNS_CODE),  # numpy.testing._private.utils.runstring is exec
    "numpy.distutils": ("*", RUNS_COMMANDS),
    "torch.hub": ("*", "downloads and runs code"),
    "torch.jit": ("*", RUNS_CODE),
    "torch._inductor": ("*", RUNS_COMMANDS),
    "torch._dynamo": ("*", RUNS_CODE),
    "torch.fx": ("*", RUNS_CODE),
    "torch.utils.collect_env": ("*", RUNS_COMMANDS),
    "torch.utils.bottleneck": ("*", RUNS_CODE),
    "io": ("*", FILES),
    "pathlib": ("*", FILES),
    "shutil": ("*", FILES),
    "tempfile": ("*", FILES),
    "fileinput": ("*", FILES),
    "zipfile": ("*", FILES),
    "tarfile": ("*", FILES),
    "shelve": ("*", FILES + ", and " + LOADS_PICKLE),
    "dbm": ("*", FILES),
    "sqlite3": ("*", FILES),
    "mmap": ("*", FILES + ", and " + NATIVE),
    "gzip": (frozenset({"open", "GzipFile"}), FILES),
    "bz2": (frozenset({"open", "BZ2File"}), FILES),
    "lzma": (frozenset({"open", "LZMAFile"}), FILES),
    "codecs": (frozenset({"open", "EncodedFile", "StreamReaderWriter", "StreamRecoder"}), FILES),
    "pickle": ("*", LOADS_PICKLE),
    "pickletools": ("*", LOADS_PICKLE),
    "dill": ("*", LOADS_PICKLE + ", and " + RUNS_CODE),
    "cloudpickle": ("*", LOADS_PICKLE + ", and " + RUNS_CODE),
    "joblib": ("*", LOADS_PICKLE),
    "pandas": (frozenset({"read_pickle", "eval"}), LOADS_PICKLE),
    "numpy": (frozenset({"load", "loads", "fromfile", "memmap"}), LOADS_PICKLE),
    "numpy.lib": ("*", LOADS_PICKLE),
    "torch": (frozenset({"load"}), LOADS_PICKLE),
    "torch.serialization": (frozenset({"load", "_load", "_legacy_load"}), LOADS_PICKLE),
    "torch.utils._config_module": ("*", LOADS_PICKLE),
    "torch.utils.data": ("*", LOADS_PICKLE),
    "importlib": ("*", IMPORTS),
    "imp": ("*", IMPORTS),
    "zipimport": ("*", IMPORTS),
    "pkgutil": ("*", IMPORTS),
    "pydoc": ("*", IMPORTS + ", and " + RUNS_COMMANDS),
    "sys": ("*", IMPORTS),
    "site": ("*", IMPORTS),
    "inspect": ("*", IMPORTS),
    "gc": ("*", IMPORTS),
    "operator": (frozenset({"attrgetter", "methodcaller", "itemgetter", "call"}), CALLS),
    "functools": (frozenset({"partial", "reduce", "partialmethod", "singledispatch"}), "calls another callable with arguments the file chooses"),
    "ctypes": ("*", NATIVE),
    "cffi": ("*", NATIVE),
    "numpy.ctypeslib": ("*", NATIVE),
    "socket": ("*", NETWORK),
    "socketserver": ("*", NETWORK),
    "ssl": ("*", NETWORK),
    "http": ("*", NETWORK),
    "urllib": ("*", NETWORK),
    "ftplib": ("*", NETWORK),
    "smtplib": ("*", NETWORK),
    "poplib": ("*", NETWORK),
    "nntplib": ("*", NETWORK),
    "telnetlib": ("*", NETWORK),
    "xmlrpc": ("*", NETWORK),
    "requests": ("*", NETWORK),
    "aiohttp": ("*", NETWORK),
    "httpx": ("*", NETWORK),
}
DANGEROUS_BUILTINS = {
    **dict.fromkeys(("eval", "exec", "compile", "execfile", "apply", "breakpoint", "input", "help"), RUNS_CODE),
    **dict.fromkeys(("getattr", "setattr", "delattr", "__import__", "vars", "globals", "locals", "reload"), IMPORTS),
    "open": FILES,
    "file": FILES,
}

_TORCH_STORAGES = ("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool", "ComplexFloat",
                   "ComplexDouble", "QUInt8", "QInt8", "QInt32", "QUInt4x2", "QUInt2x4")
_TORCH_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
                 "complex64", "complex128", "float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64")
SAFE: frozenset[tuple[str, str]] = frozenset({
    ("collections", "OrderedDict"),
    ("collections", "Counter"),
    ("torch.nn.parameter", "Parameter"),
    ("torch.serialization", "_get_layout"),
    ("torch", "Size"),
    ("torch", "Tensor"),
    ("torch", "device"),
    ("torch._tensor", "_rebuild_from_type_v2"),
    *(("torch._utils", f) for f in ("_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_tensor",
                                    "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_sparse_tensor",
                                    "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass",
                                    "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor")),
    *(("torch", f"{kind}Storage") for kind in _TORCH_STORAGES),
    ("torch.storage", "UntypedStorage"),
    ("torch.storage", "TypedStorage"),
    *(("torch", dtype) for dtype in _TORCH_DTYPES),
    ("_codecs", "encode"),
    *(("builtins", name) for name in ("bytearray", "bytes", "set", "frozenset", "complex", "slice", "range", "xrange",
                                      "object", "list", "dict", "tuple", "str", "int", "float", "bool")),
    ("copyreg", "_reconstructor"),
    ("copyreg", "__newobj__"),
    ("copyreg", "__newobj_ex__"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    *((f"numpy.{core}.multiarray", f) for core in ("core", "_core") for f in ("_reconstruct", "scalar")),
    *((f"numpy.{core}.numeric", "_frombuffer") for core in ("core", "_core")),
})


def canonical_module(module: str) -> str:
    """``module`` with old or C-level names mapped to the module a reader knows (``posix`` -> ``os``)."""
    head, _, rest = module.partition(".")
    head = ALIASES.get(head, head)
    return f"{head}.{rest}" if rest else head


def classify(module: str, name: str) -> tuple[str, str]:
    """``(verdict, why)`` for a global: verdict ``"safe"``, ``"dangerous"`` or ``"suspicious"``."""
    if "?" in (module, name):
        return "dangerous", COMPUTED
    canonical = canonical_module(module)
    if (canonical, name) in SAFE:
        return "safe", "on the checkpoint allowlist: rebuilds tensors or plain data"
    first = name.split(".")[0]
    if canonical == "builtins" and first in DANGEROUS_BUILTINS:
        return "dangerous", DANGEROUS_BUILTINS[first]
    parts = [*canonical.split(".")[1:], *name.split(".")]
    if any(p.startswith("__") and p.endswith("__") and len(p) > 4 for p in parts):
        return "dangerous", INTERNALS
    module_parts = canonical.split(".")
    for length in range(len(module_parts), 0, -1):
        entry = DANGEROUS.get(".".join(module_parts[:length]))
        if entry and (entry[0] == "*" or first in entry[0]):
            return "dangerous", entry[1]
    if canonical == "copyreg extension":
        return "suspicious", "imported through copyreg's extension registry, which the loading program fills"
    return "suspicious", "not on the kit's allowlist: loading calls it, and the kit does not know what it does"
