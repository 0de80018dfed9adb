"""Live sampling explorer: one real open model, its next-token distribution, and the knobs that reshape it.

The model runs once per prompt; moving a slider only re-applies temperature,
top-k and top-p to the cached scores and redraws, so the slider stays live.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from traitlets import Instance, observe

from aiopen.domain import sampling
from aiopen.domain.lm import LanguageModel, load_model
from aiopen.widgets.common import GREY, PALETTE, View, caption, enforce_bounds, figure_widget, guarded, show_message

BARS = 15
SAMPLE_TOKENS = 24
FIXED_SEED = 42
CACHED_PROMPTS = 32
TOP_K_OFF = "off"
TEXT_PRESETS = ["The capital of France is", "Open source software is", "Once upon a time"]
CHAT_PRESET = ("Chat: why publish model weights?", "Why does it matter that a model's weights are published?")
SCOPE = "aiopen-sampling"
SAMPLES_CSS = (
    f" .{SCOPE} .aiopen-samples td {{padding:2px 6px;border:none;border-bottom:1px solid #DDD;line-height:1.3;"
    "text-align:left;vertical-align:top;font-size:14px}"
)


def _shown(token: str) -> str:
    """Make invisible characters visible on an axis: leading space as ␣, newline as ↵."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


@dataclass(frozen=True, eq=False)
class Ranked:
    """A prompt's next-token scores, high to low, with their token ids; ``truncated`` when the
    model read only the prompt's end."""

    logits: np.ndarray
    ids: np.ndarray
    truncated: bool


class SamplingExplorer(View):
    """The live sampling explorer: one prompt's next-token distribution reshaped by the knobs.

    State: ``ranked`` (the prompt's scores, computed once per prompt by the model) and
    ``shaped`` (:class:`aiopen.domain.sampling.Reshaped`, recomputed when a knob moves).
    Parts: ``preset``, ``prompt``, ``temperature``, ``top_k``, ``top_p``, ``n_samples``,
    ``fixed_seed``, ``sample_button``, ``summary``, ``figure``, ``samples``, ``caption``, ``status``.
    """

    scope = SCOPE
    css = SAMPLES_CSS
    ranked = Instance(Ranked, allow_none=True, help="the current prompt's scores, high to low")
    shaped = Instance(sampling.Reshaped, allow_none=True, help="the distribution after temperature, top-k and top-p")
    preset = Instance(widgets.Dropdown)
    prompt = Instance(widgets.Textarea)
    temperature = Instance(widgets.FloatSlider)
    top_k = Instance(widgets.SelectionSlider)
    top_p = Instance(widgets.FloatSlider)
    n_samples = Instance(widgets.IntSlider)
    fixed_seed = Instance(widgets.Checkbox)
    sample_button = Instance(widgets.Button)
    summary = Instance(widgets.HTML)
    figure = Instance(go.FigureWidget)
    samples = Instance(widgets.HTML)

    def __init__(self, model: LanguageModel | None):
        self.model = model
        self._scores: dict[str, Ranked] = {}  # prompt -> its ranked scores (at most CACHED_PROMPTS)
        label = {"description_width": "90px"}
        slider = dict(continuous_update=True, style=label, layout=widgets.Layout(width="390px"))
        figure = figure_widget(height=310, width=720, margin=dict(l=60, r=10, t=34, b=62), barmode="overlay",
                               xaxis=dict(tickangle=-40, tickfont=dict(size=15)), yaxis=dict(title="probability", tickformat=".0%"),
                               legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", font=dict(size=15)))
        figure.add_bar(name="kept: sampling chooses among these", marker_color=PALETTE[0])
        figure.add_bar(name="cut by top-k / top-p", marker_color=GREY)
        parts = dict(
            preset=widgets.Dropdown(description="Prompt", style=label, layout=widgets.Layout(width="390px")),
            prompt=widgets.Textarea(rows=2, continuous_update=False, placeholder="Type your own prompt",
                                    layout=widgets.Layout(width="800px", height="52px")),
            temperature=widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.05, description="temperature", readout_format=".2f", **slider),
            top_k=widgets.SelectionSlider(options=[*map(str, range(1, 101)), TOP_K_OFF], value=TOP_K_OFF, description="top-k", **slider),
            top_p=widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top-p", readout_format=".2f", **slider),
            n_samples=widgets.IntSlider(value=4, min=1, max=8, description="N", style=label, layout=widgets.Layout(width="300px")),
            fixed_seed=widgets.Checkbox(value=False, description=f"fixed seed ({FIXED_SEED})", indent=False,
                                        layout=widgets.Layout(width="160px", margin="0 0 0 16px")),
            sample_button=widgets.Button(description="Sample N", button_style="primary", icon="dice", layout=widgets.Layout(width="130px")),
            status=widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em", width="620px", margin="0 0 0 12px")),
            summary=widgets.HTML(),
            figure=figure,
            samples=widgets.HTML(_samples_hint(), layout=widgets.Layout(width="470px", max_height="310px", overflow="auto", margin="0 0 0 10px")),
            caption=caption(f"Bar chart of the {BARS} most likely next tokens and their probabilities at the chosen temperature. "
                            "Blue bars are the tokens the sampler may still choose; grey bars were removed by top-k or top-p, "
                            "and the kept probabilities are rescaled to add up to 1 before a token is drawn. "
                            "Beside it, the continuations drawn with Sample N."),
        )
        p = parts
        enforce_bounds(p["temperature"], p["top_p"], p["n_samples"])  # the kernel, not the slider, holds the range
        super().__init__([
            widgets.HBox([p["preset"], p["prompt"]]),
            widgets.HBox([p["temperature"], p["top_k"], p["top_p"]]),
            widgets.HBox([p["n_samples"], p["fixed_seed"], p["sample_button"], p["status"]]),
            p["summary"],
            widgets.HBox([figure, p["samples"]]),
            p["caption"],
        ], **parts)
        self.watch(self._on_preset, self.preset)
        self.watch(self._on_prompt, self.prompt)
        self.watch(self._recompute, self.temperature, self.top_k, self.top_p)
        self.sample_button.on_click(guarded(self.status)(self._on_sample))
        guarded(self.status)(self._start)()
        if self.model is None:  # the message saying why is already on screen
            for control in (self.preset, self.prompt, self.temperature, self.top_k, self.top_p, self.sample_button):
                control.disabled = True

    # -- from the controls to the state ---------------------------------------------------

    def _start(self) -> None:
        if self.model is None:
            show_message(self.status, "Loading SmolLM2-135M-Instruct …")
            self.model = load_model()
        chat = self.model.chat_prompt([{"role": "user", "content": CHAT_PRESET[1]}])
        self.preset.options = [*((text, text) for text in TEXT_PRESETS), (CHAT_PRESET[0], chat), ("(type your own)", "")]
        self.preset.index = 0  # fills the prompt box through _on_preset

    def _on_preset(self, change: dict) -> None:
        if change["new"]:
            self.prompt.value = change["new"]

    def _on_prompt(self, change: dict) -> None:
        self.ranked = None  # cleared first: an empty or failing prompt leaves no stale bars
        show_message(self.status, "")
        self.ranked = self._rank(change["new"])
        if self.ranked.truncated:
            show_message(self.status, f"This prompt is long: the model reads only its last {self.model.max_prompt_tokens} tokens.", "warning")

    def _rank(self, prompt: str) -> Ranked:
        """The prompt's scores, computed once per prompt."""
        if prompt not in self._scores:
            _, truncated = self.model.prepare_prompt(prompt)  # raises ValueError for an empty prompt
            logits, ids = sampling.ranked(self.model.next_token_logits(prompt))
            if len(self._scores) >= CACHED_PROMPTS:
                self._scores.pop(next(iter(self._scores)))
            self._scores[prompt] = Ranked(logits, ids, truncated)
        return self._scores[prompt]

    def _settings(self) -> dict:
        return dict(temperature=self.temperature.value,
                    top_k=None if self.top_k.value == TOP_K_OFF else int(self.top_k.value),
                    top_p=None if self.top_p.value >= 1 else self.top_p.value)

    @observe("ranked")
    def _on_ranked(self, change: dict) -> None:
        if self.ranked is None:
            self.shaped = None
            return
        self.figure.layout.xaxis.update(tickvals=list(range(BARS)), ticktext=[_shown(self.model.token_strings[i]) for i in self.ranked.ids[:BARS]])
        self._recompute()

    def _recompute(self, _change: object = None) -> None:
        if self.ranked is not None:
            settings = self._settings()
            self.shaped = sampling.reshape(self.ranked.logits, settings["temperature"], settings["top_k"], settings["top_p"])

    # -- from the state to the screen -----------------------------------------------------

    @observe("shaped")
    def _draw(self, _change: object = None) -> None:
        if self.shaped is None:
            self.figure.data[0].y, self.figure.data[1].y = (), ()
            self.summary.value, self.samples.value = "", _samples_hint()
            return
        kept, cut = self.shaped.bars(BARS)
        with self.figure.batch_update():
            self.figure.data[0].update(x=list(range(BARS)), y=kept)
            self.figure.data[1].update(x=list(range(BARS)), y=cut)
        shaped = self.shaped
        self.summary.value = (
            f'<span style="font-size:16px">Temperature {shaped.temperature:.2f}: '
            f"<b>{shaped.count:,}</b> of {shaped.probs.size:,} tokens can be drawn; "
            f"uncertainty (entropy) <b>{shaped.entropy:.2f} bits</b>"
            f" (before top-k/top-p {shaped.entropy_before:.2f} bits).</span>"
        )

    def _on_sample(self, button: widgets.Button | None = None) -> None:
        if self.ranked is None:
            raise ValueError("Choose or type a prompt first.")
        n = self.n_samples.value
        show_message(self.status, f"Sampling {n} continuation{'s' if n > 1 else ''} of {SAMPLE_TOKENS} tokens …")
        seed = FIXED_SEED if self.fixed_seed.value else None
        texts = self.model.generate(self.prompt.value, n=n, max_new_tokens=SAMPLE_TOKENS, seed=seed, **self._settings())
        show_message(self.status, "")
        rows = "".join(
            f'<tr><td style="color:#666">{i}</td><td>{html.escape(_shown_text(t))}</td></tr>'
            for i, t in enumerate(texts, 1)
        )
        seed_note = f"seed {FIXED_SEED}: click again, same texts" if seed is not None else "new random seed each click"
        self.samples.value = (
            f'<div style="font-size:15px;line-height:1.3"><b>{len(set(texts))} distinct</b> of {n} ({seed_note})'
            f'<table class="aiopen-samples" style="border-collapse:collapse;margin-top:4px">{rows}</table></div>'
        )


def _samples_hint() -> str:
    return ('<div style="font-size:15px;color:#555;line-height:1.3">Press <b>Sample N</b> to draw N continuations '
            f"of {SAMPLE_TOKENS} tokens with these settings; they appear here.</div>")


def _shown_text(text: str) -> str:
    return text.replace("\n", " ↵ ") or "(stopped at once)"


def sampling_explorer(model: LanguageModel | None = None) -> SamplingExplorer:
    """The live sampling explorer (loads SmolLM2 on first use when ``model`` is None)."""
    return SamplingExplorer(model)
