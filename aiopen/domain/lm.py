"""SmolLM2-135M-Instruct in plain numpy: a real open model you can read on one screen.

SmolLM2 (Hugging Face, Apache-2.0; weights, training data and training code are
published) is a Llama-style decoder: 30 blocks of RMSNorm -> attention with RoPE
and grouped-query heads -> RMSNorm -> SwiGLU feed-forward, with the input
embedding reused as the output layer. ``forward`` below is the whole network.

    model = load_model()
    tokens, probs = model.next_token_distribution("The capital of France is")
    model.generate(model.chat_prompt([{"role": "user", "content": "Hi!"}]), n=4, seed=0)
    model.generate_batch(["Open source is", "Closed source is"], n=2, seeds=[0, 1])

Decoding one token reads every weight once (538 MB in fp32), so its speed is set by
memory bandwidth; the choices that keep it close to that floor are each marked
"(speed)" where they are made. Several prompts of different lengths decode as one
batch: each sequence has its own positions and a mask of the cache slots it may see.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from jinja2.sandbox import ImmutableSandboxedEnvironment
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from aiopen.domain import gguf_loader, sampling
from aiopen.domain.gguf_loader import Config

MAX_PROMPT_TOKENS = 512  # longer prompts keep their last 512 tokens (keeps a prompt under ~1 s on 2 cores)
MAX_SAMPLES = 64  # continuations of one prompt per call
CACHE_SLOTS = 8_192  # sequences x tokens in one batch's KV cache (46 kB each: at most ~380 MB); more sequences are split into batches
CHAT_ROLES = ("system", "user", "assistant")
# The matrices here are small (a few tokens x 576): a second BLAS thread costs more than it
# saves, and on a 2-core laptop that also runs Jupyter and a browser it can stall badly.
ONE_BLAS_THREAD = ThreadpoolController().wrap(limits=1, user_api="blas")

# ----------------------------------------------------------------------------- the network


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """Scale each vector to unit root-mean-square, then by a learned per-channel weight."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


@functools.cache
def rotations(config: Config) -> np.ndarray:
    """RoPE's rotation for every position and pair of channels, as unit complex numbers (positions, head_dim/2).

    (speed) Built once per model, not for every layer of every step.
    """
    half = config.head_dim // 2
    angles = np.arange(config.max_context)[:, None] * config.rope_base ** (-np.arange(half) / half)
    return np.exp(1j * angles).astype(np.complex64)


def rope(x: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """Rotary position embedding: rotate each pair (x[2i], x[2i+1]) by position * base^(-2i/d).

    Read as the complex number x[2i] + i x[2i+1], the pair is rotated by one multiplication.
    Adjacent pairs, because GGUF stores the Q/K rows in the original Llama order
    (llama.cpp's converter undoes the permutation Hugging Face applies for its
    "rotate half" layout).
    """
    return (x.view(np.complex64) * rotation).view(np.float32)


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def attention(x: np.ndarray, w: dict, layer: int, config: Config, cache: KVCache, rotation: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Causal self-attention for ``x`` (batch * new tokens, dim); writes this step's keys/values into ``cache``."""
    batch, new = rotation.shape[:2]
    heads, kv, d = config.n_heads, config.n_kv_heads, config.head_dim
    qkv = (x @ w["wqkv"][layer]).reshape(batch, new, heads + 2 * kv, d)  # (speed) q, k, v fused: one product, not three
    qk = rope(qkv[:, :, : heads + kv], rotation)  # queries and keys
    end = cache.length
    cache.keys[:, layer, :, end - new : end] = qk[:, :, heads:].transpose(0, 2, 1, 3)
    cache.values[:, layer, :, end - new : end] = qkv[:, :, heads + kv :].transpose(0, 2, 1, 3)
    # Grouped-query attention: each key/value head serves heads / kv query heads. (speed) Keys
    # and values are broadcast over that group, read in place instead of copied.
    q = qk[:, :, :heads].reshape(batch, new, kv, heads // kv, d).transpose(0, 2, 3, 1, 4)  # (batch, kv, group, new, d)
    keys, values = cache.keys[:, layer, :, None, :end], cache.values[:, layer, :, None, :end]  # (batch, kv, 1, end, d)
    weights = softmax_rows(q @ keys.swapaxes(-1, -2) * d**-0.5 + mask)
    return (weights @ values).transpose(0, 3, 1, 2, 4).reshape(batch * new, config.dim) @ w["wo"][layer]


def feed_forward(x: np.ndarray, w: dict, layer: int) -> np.ndarray:
    """SwiGLU: silu(x W_gate) * (x W_up), projected back down."""
    gate, up = np.split(x @ w["w_gate_up"][layer], 2, axis=-1)  # (speed) fused: one product, not two
    return (gate / (1 + np.exp(-gate)) * up) @ w["w_down"][layer]


def forward(token_ids: np.ndarray, w: dict, config: Config, cache: KVCache, real: np.ndarray | None = None) -> np.ndarray:
    """Next-token logits (batch, vocab) after feeding ``token_ids`` (batch, new tokens).

    ``real`` (batch, new; default all True) is False where a token is padding.
    Activations are kept as one row per token (batch * new, dim), so every weight
    matrix is read once per step, whatever the batch size.
    """
    batch, new = token_ids.shape
    positions, mask = cache.append(np.ones(token_ids.shape, bool) if real is None else real)
    rotation = rotations(config)[positions][:, :, None, :]  # (batch, new, 1 head, head_dim/2)
    x = w["embedding"][token_ids.reshape(-1)]
    for layer in range(config.n_layers):
        x = x + attention(rms_norm(x, w["attn_norm"][layer], config.rms_eps), w, layer, config, cache, rotation, mask)
        x = x + feed_forward(rms_norm(x, w["ffn_norm"][layer], config.rms_eps), w, layer)
    # Tied embeddings; (speed) read from a contiguous (dim, vocab) copy, at full bandwidth.
    last = x.reshape(batch, new, config.dim)[:, -1]
    return rms_norm(last, w["output_norm"], config.rms_eps) @ w["lm_head"]


# ----------------------------------------------------------------------------- the cache, and batches of prompts


class GenerationStopped(RuntimeError):
    """A generation's ``should_stop`` asked it to stop (cancelled, or past its deadline); its reason is the message."""


@dataclass
class KVCache:
    """Keys and values of every layer for the tokens seen so far, so each new token costs one step.

    The sequences of a batch fill the same slots; a slot holding padding (for a shorter
    prompt) is not seen by its sequence and does not count as a position.
    """

    keys: np.ndarray  # (batch, layers, kv heads, capacity, head_dim): (speed) one block per sequence, cheap to copy
    values: np.ndarray
    seen: np.ndarray  # (batch, capacity): the slot holds a real token of that sequence
    positions: np.ndarray  # (batch,): real tokens so far, so the position of the next one
    length: int = 0  # slots used

    @classmethod
    def empty(cls, config: Config, batch: int, capacity: int) -> KVCache:
        shape = (batch, config.n_layers, config.n_kv_heads, capacity, config.head_dim)
        return cls(np.zeros(shape, np.float32), np.zeros(shape, np.float32), np.zeros((batch, capacity), bool), np.zeros(batch, np.int64))

    def rows(self, indices: np.ndarray) -> KVCache:
        """A cache of the sequences ``indices`` (repeats allowed: several continuations of one prompt)."""
        return KVCache(self.keys[indices], self.values[indices], self.seen[indices], self.positions[indices], self.length)

    def keep(self, rows: list[int]) -> None:
        """Keep only the sequences ``rows`` (increasing), moved to the front in place: no new memory."""
        for new, old in enumerate(rows):
            if new != old:
                self.keys[new], self.values[new] = self.keys[old], self.values[old]
        self.keys, self.values = self.keys[: len(rows)], self.values[: len(rows)]
        self.seen, self.positions = self.seen[rows], self.positions[rows]

    def append(self, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Take slots for new tokens (``real``: batch x new, False for padding); their positions and attention mask.

        The mask (batch, 1, 1, new, slots) is added to attention scores: 0 where a token may
        look (its own sequence's real tokens, up to itself), -inf elsewhere. A padding token
        sees only itself, which keeps its row finite; nothing sees it.
        """
        start, self.length = self.length, self.length + real.shape[1]
        self.seen[:, start : self.length] = real
        positions = self.positions[:, None] + np.cumsum(real, axis=1) - 1  # padding before the first token: -1, unused
        self.positions += real.sum(axis=1)
        slot, new_slot = np.arange(self.length), np.arange(start, self.length)[:, None]
        sees = ((slot <= new_slot) & self.seen[:, None, : self.length]) | (slot == new_slot)
        return np.maximum(positions, 0), np.where(sees, 0, -np.inf).astype(np.float32)[:, None, None]


def prefill(prompts: list[list[int]], w: dict, config: Config, capacity: int) -> tuple[KVCache, np.ndarray]:
    """A cache holding ``prompts`` (token ids, any lengths) and each one's next-token logits.

    (speed) The tokens all prompts start with (a shared system prompt) are computed once.
    The rest go in as one batch, shorter ones padded on the left, so that every prompt
    ends in the same slot and later steps stay in line.
    """
    shared = 0
    if len(prompts) > 1:
        while shared < min(map(len, prompts)) - 1 and len({p[shared] for p in prompts}) == 1:
            shared += 1
    cache = KVCache.empty(config, 1, capacity)
    if shared:
        forward(np.array([prompts[0][:shared]]), w, config, cache)
    cache = cache.rows(np.zeros(len(prompts), int))
    rest = [prompt[shared:] for prompt in prompts]
    width = max(map(len, rest))
    real = np.arange(width) >= width - np.array([len(r) for r in rest])[:, None]  # padding on the left
    ids = np.zeros(real.shape, np.int64)
    ids[real] = np.concatenate(rest)
    return cache, forward(ids, w, config, cache, real)


# ----------------------------------------------------------------------------- the model object


class LanguageModel:
    """Tokenizer + weights + the loop that turns next-token distributions into text."""

    def __init__(self, config: Config, weights: dict[str, np.ndarray], tokenizer: Tokenizer):
        self.config = config
        self.weights = weights
        self.tokenizer = tokenizer
        self.max_context = config.max_context
        self.max_prompt_tokens = MAX_PROMPT_TOKENS
        self.token_strings = gguf_loader.readable_tokens(tokenizer)
        self._chat_template = ImmutableSandboxedEnvironment().from_string(config.chat_template)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; special tokens such as ``<|im_start|>`` are recognised."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def detokenize(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=False)

    def prepare_prompt(self, prompt: str) -> tuple[list[int], bool]:
        """Token ids of ``prompt`` and whether it was cut to its last ``max_prompt_tokens`` tokens."""
        if not isinstance(prompt, str):
            raise ValueError(f"The prompt must be text, not {type(prompt).__name__}.")
        if prompt == "":
            raise ValueError("The prompt is empty: type a few words for the model to continue.")
        ids = self.tokenize(prompt)
        return ids[-self.max_prompt_tokens :], len(ids) > self.max_prompt_tokens

    def chat_prompt(self, messages: list[dict[str, str]]) -> str:
        """Messages in the model's own chat template (ChatML), with the assistant's turn opened."""
        if not messages or not all(
            isinstance(m, dict) and m.get("role") in CHAT_ROLES and isinstance(m.get("content"), str) for m in messages
        ):
            raise ValueError('Chat messages must be a non-empty list like [{"role": "user", "content": "Hello"}] with roles system, user or assistant.')
        return self._chat_template.render(messages=messages, add_generation_prompt=True)

    @ONE_BLAS_THREAD
    def next_token_logits(self, prompt: str) -> np.ndarray:
        """Raw scores (float64, one per vocabulary entry) for the token after ``prompt``."""
        ids, _ = self.prepare_prompt(prompt)
        cache = KVCache.empty(self.config, batch=1, capacity=len(ids))
        return forward(np.array([ids]), self.weights, self.config, cache)[0].astype(np.float64)

    def next_token_distribution(self, prompt: str) -> tuple[list[str], np.ndarray]:
        """Readable token strings and their probabilities (temperature 1) for the next token."""
        return self.token_strings, sampling.softmax(self.next_token_logits(prompt))

    def generate(
        self,
        prompt: str,
        n: int = 1,
        max_new_tokens: int = 32,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> list[str]:
        """``n`` continuations of ``prompt``, computed as one batch; each stops at ``<|im_end|>``.

        Sequence ``i`` draws from its own random stream derived from ``seed``, so the
        same seed gives the same texts, and the first text does not depend on ``n``.
        """
        settings = dict(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p)
        return self.generate_batch([prompt], n, **settings, seeds=[seed])[0]

    def generate_batch(self, prompts: Sequence[str], n: int = 1, **settings: object) -> list[list[str]]:
        """``n`` continuations of each prompt, all decoded together: ``result[p][i]`` continues ``prompts[p]``.

        Prompts may differ in length; the tokens they share are computed once. Settings as
        ``generate_ids``: ``max_new_tokens``, ``temperature``, ``top_k``, ``top_p`` and
        ``seeds``, one per prompt; continuation ``i`` of prompt ``p`` draws from stream ``i``
        of ``seeds[p]``, exactly as ``generate(prompts[p], n, seed=seeds[p])`` would.
        """
        return [[self.detokenize(tokens) for tokens in per_prompt] for per_prompt in self.generate_ids(prompts, n, **settings)]

    @ONE_BLAS_THREAD
    def generate_ids(
        self,
        prompts: Sequence[str],
        n: int = 1,
        max_new_tokens: int = 32,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seeds: Sequence[int | None] | None = None,
        should_stop: Callable[[], str | None] | None = None,
    ) -> list[list[list[int]]]:
        """``generate_batch``'s continuations as token ids (the stop token left out).

        Sequences beyond what one batch's ``CACHE_SLOTS`` hold are decoded in further batches.
        ``should_stop`` is asked before every step (say an ``aiopen.domain.safety.ScanClock``);
        when it returns a reason, :class:`GenerationStopped` is raised with it.
        """
        if isinstance(prompts, str) or not isinstance(prompts, Sequence) or not prompts:
            raise ValueError(f"Give the prompts as a non-empty list of texts, not {prompts!r:.60}.")
        seeds = [None] * len(prompts) if seeds is None else seeds
        if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) != len(prompts):
            raise ValueError(f"Give one seed per prompt (a list of {len(prompts)} whole numbers or None), not {seeds!r:.60}.")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
            raise ValueError(f"Ask for between 1 and {MAX_SAMPLES} continuations, not {n!r}.")
        prepared = [self.prepare_prompt(prompt)[0] for prompt in prompts]
        room = self.max_context - max(map(len, prepared))
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or not 1 <= max_new_tokens <= room:
            raise ValueError(f"max_new_tokens must be a whole number between 1 and {room}, not {max_new_tokens!r}.")
        streams = [np.random.default_rng(child) for seed in seeds for child in np.random.SeedSequence(seed).spawn(n)]
        rows = [ids for ids in prepared for _ in range(n)]
        per_batch = max(1, CACHE_SLOTS // (max(map(len, prepared)) + max_new_tokens))
        choose = functools.partial(self._choose, temperature=temperature, k=top_k, p=top_p)
        should_stop = should_stop or (lambda: None)
        tokens = [t for first in range(0, len(rows), per_batch)
                  for t in self._decode(rows[first : first + per_batch], streams[first : first + per_batch], max_new_tokens, choose, should_stop)]
        return [tokens[p * n : (p + 1) * n] for p in range(len(prompts))]

    def _decode(self, prompts: list[list[int]], streams: list[np.random.Generator], max_new_tokens: int, choose: Callable[..., int],
                should_stop: Callable[[], str | None]) -> list[list[int]]:
        """New token ids for one batch: sequence ``i`` continues ``prompts[i]`` (token ids) drawing from ``streams[i]``."""
        distinct = list(dict.fromkeys(map(tuple, prompts)))
        capacity = max(map(len, distinct)) + max_new_tokens
        cache, logits = prefill([list(p) for p in distinct], self.weights, self.config, capacity)
        which = np.array([distinct.index(tuple(p)) for p in prompts])
        cache, logits = cache.rows(which), logits[which]  # n continuations of a prompt start from copies of its cache
        new_tokens: list[list[int]] = [[] for _ in prompts]
        active = list(range(len(prompts)))  # the sequences still going, in the order of the cache's rows
        for step in range(max_new_tokens):
            if reason := should_stop():
                raise GenerationStopped(reason)
            chosen = [choose(row, stream=streams[i]) for row, i in zip(logits, active)]
            going = [row for row, token in enumerate(chosen) if token not in self.config.stop_ids]
            for row in going:
                new_tokens[active[row]].append(chosen[row])
            if not going or step == max_new_tokens - 1:
                break
            if len(going) < len(active):  # (speed) a finished sequence leaves the batch
                cache.keep(going)
                active = [active[row] for row in going]
            logits = forward(np.array([[chosen[row]] for row in going]), self.weights, self.config, cache)
        return new_tokens

    @staticmethod
    def _choose(logits: np.ndarray, temperature: float, k: int | None, p: float | None, stream: np.random.Generator) -> int:
        probs = sampling.softmax(logits.astype(np.float64), temperature)
        if k is not None:
            probs = sampling.top_k(probs, k)
        if p is not None:
            probs = sampling.top_p(probs, p)
        return int(sampling.sample(probs, 1, stream)[0])


@functools.lru_cache(maxsize=1)
def load_model() -> LanguageModel:
    """The SmolLM2-135M-Instruct model, loaded once per process (first call ever: ~5 s to build the cache)."""
    return LanguageModel(*gguf_loader.load(gguf_loader.model_path()))
