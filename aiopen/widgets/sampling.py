"""Live sampling explorer: one real open model, its next-token distribution, and the knobs that reshape it.

The model runs once per prompt; moving a slider only re-applies temperature,
top-k and top-p to the cached scores and redraws, so the slider stays live.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from aiopen.domain import sampling
from aiopen.domain.lm import LanguageModel, load_model
from aiopen.widgets.common import GREY, PALETTE, LiveBox, caption, enforce_bounds, figure_widget, guarded, scoped_css, show_message, status_line

BARS = 15
SAMPLE_TOKENS = 24
FIXED_SEED = 42
CACHED_PROMPTS = 32
TOP_K_OFF = "off"
TEXT_PRESETS = ["The capital of France is", "Open source software is", "Once upon a time"]
CHAT_PRESET = ("Chat: why publish model weights?", "Why does it matter that a model's weights are published?")
CSS_SCOPE = "aiopen-sampling"
CONTROL_CSS = (
    f".{CSS_SCOPE} .widget-label, .{CSS_SCOPE} select, .{CSS_SCOPE} textarea, .{CSS_SCOPE} button,"
    f" .{CSS_SCOPE} .widget-readout, .{CSS_SCOPE} .widget-checkbox label {{font-size:15px !important}}"
    f" .{CSS_SCOPE} .aiopen-samples td {{padding:2px 6px;border:none;border-bottom:1px solid #DDD;line-height:1.3;"
    "text-align:left;vertical-align:top;font-size:14px}"
)


def _shown(token: str) -> str:
    """Make invisible characters visible on an axis: leading space as ␣, newline as ↵."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


class SamplingExplorer(LiveBox):
    """The widget returned by :func:`sampling_explorer`; its controls are attributes for tests."""

    def __init__(self, model: LanguageModel | None):
        self.model = model
        self._scores: dict[str, tuple[np.ndarray, np.ndarray, bool]] = {}  # prompt -> (sorted logits, token ids, truncated)
        self._current: tuple[np.ndarray, np.ndarray, bool] | None = None
        self.status = status_line()
        label = {"description_width": "90px"}
        self.preset = widgets.Dropdown(description="Prompt", style=label, layout=widgets.Layout(width="390px"))
        self.prompt = widgets.Textarea(rows=2, continuous_update=False, placeholder="Type your own prompt",
                                       layout=widgets.Layout(width="800px", height="52px"))
        slider = dict(continuous_update=True, style=label, layout=widgets.Layout(width="390px"))
        self.temperature = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.05, description="temperature", readout_format=".2f", **slider)
        self.top_k = widgets.SelectionSlider(options=[*map(str, range(1, 101)), TOP_K_OFF], value=TOP_K_OFF, description="top-k", **slider)
        self.top_p = widgets.FloatSlider(value=1.0, min=0.05, max=1.0, step=0.05, description="top-p", readout_format=".2f", **slider)
        self.summary = widgets.HTML()
        self.figure = figure_widget(height=310, width=720, margin=dict(l=60, r=10, t=34, b=62), barmode="overlay",
                                    xaxis=dict(tickangle=-40, tickfont=dict(size=15)), yaxis=dict(title="probability", tickformat=".0%"),
                                    legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", font=dict(size=15)))
        self.figure.add_bar(name="kept: sampling chooses among these", marker_color=PALETTE[0])
        self.figure.add_bar(name="cut by top-k / top-p", marker_color=GREY)
        self.n_samples = widgets.IntSlider(value=4, min=1, max=8, description="N", style=label,
                                           layout=widgets.Layout(width="300px"))
        self.fixed_seed = widgets.Checkbox(value=False, description=f"fixed seed ({FIXED_SEED})", indent=False,
                                           layout=widgets.Layout(width="160px", margin="0 0 0 16px"))
        self.sample_button = widgets.Button(description="Sample N", button_style="primary", icon="dice",
                                            layout=widgets.Layout(width="130px"))
        self.status.layout = widgets.Layout(min_height="1.6em", width="620px", margin="0 0 0 12px")
        self.samples = widgets.HTML(layout=widgets.Layout(width="470px", max_height="310px", overflow="auto",
                                                          margin="0 0 0 10px"))
        self.samples.value = self._samples_hint()
        enforce_bounds(self.temperature, self.top_p, self.n_samples)  # the kernel, not the slider, holds the range
        super().__init__([
            scoped_css(CSS_SCOPE, CONTROL_CSS),
            widgets.HBox([self.preset, self.prompt]),
            widgets.HBox([self.temperature, self.top_k, self.top_p]),
            widgets.HBox([self.n_samples, self.fixed_seed, self.sample_button, self.status]),
            self.summary,
            widgets.HBox([self.figure, self.samples]),
            caption(f"Bar chart of the {BARS} most likely next tokens and their probabilities at the chosen temperature. "
                    "Blue bars are the tokens the sampler may still choose; grey bars were removed by top-k or top-p, "
                    "and the kept probabilities are rescaled to add up to 1 before a token is drawn. "
                    "Beside it, the continuations drawn with Sample N."),
        ], layout=widgets.Layout(width="1220px"))
        self.add_class(CSS_SCOPE)
        self.preset.observe(guarded(self.status)(self._on_preset), "value")
        self.prompt.observe(guarded(self.status)(self._on_prompt), "value")
        for control in (self.temperature, self.top_k, self.top_p):
            control.observe(guarded(self.status)(self._redraw), "value")
        self.sample_button.on_click(guarded(self.status)(self._on_sample))
        guarded(self.status)(self._start)()
        if self.model is None:  # the message saying why is already on screen
            for control in (self.preset, self.prompt, self.temperature, self.top_k, self.top_p, self.sample_button):
                control.disabled = True

    @staticmethod
    def _samples_hint() -> str:
        return ('<div style="font-size:15px;color:#555;line-height:1.3">Press <b>Sample N</b> to draw N continuations '
                f"of {SAMPLE_TOKENS} tokens with these settings; they appear here.</div>")

    # -- callbacks ------------------------------------------------------------------------

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
        self._current = None
        self.figure.data[0].y, self.figure.data[1].y = (), ()
        self.summary.value, self.samples.value = "", self._samples_hint()
        show_message(self.status, "")
        self._current = self._distribution(change["new"])
        if self._current[2]:
            show_message(self.status, f"This prompt is long: the model reads only its last {self.model.max_prompt_tokens} tokens.", "warning")
        _, ids, _ = self._current
        self.figure.layout.xaxis.update(tickvals=list(range(BARS)), ticktext=[_shown(self.model.token_strings[i]) for i in ids[:BARS]])
        self._redraw()

    def _distribution(self, prompt: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """Scores sorted high to low with their token ids, computed once per prompt."""
        if prompt not in self._scores:
            _, truncated = self.model.prepare_prompt(prompt)  # raises ValueError for an empty prompt
            logits = self.model.next_token_logits(prompt)
            order = np.argsort(-logits, kind="stable")
            if len(self._scores) >= CACHED_PROMPTS:
                self._scores.pop(next(iter(self._scores)))
            self._scores[prompt] = (logits[order], order, truncated)
        return self._scores[prompt]

    def _settings(self) -> dict:
        return dict(temperature=self.temperature.value,
                    top_k=None if self.top_k.value == TOP_K_OFF else int(self.top_k.value),
                    top_p=None if self.top_p.value >= 1 else self.top_p.value)

    def _redraw(self, change: dict | None = None) -> None:
        if self._current is None:
            return
        sorted_logits, _, _ = self._current
        settings = self._settings()
        probs = sampling.softmax(sorted_logits, settings["temperature"])
        kept = probs if settings["top_k"] is None else sampling.top_k(probs, settings["top_k"])
        kept = kept if settings["top_p"] is None else sampling.top_p(kept, settings["top_p"])
        shown, is_kept = probs[:BARS], kept[:BARS] > 0
        with self.figure.batch_update():
            self.figure.data[0].update(x=list(range(BARS)), y=np.where(is_kept, shown, 0.0))
            self.figure.data[1].update(x=list(range(BARS)), y=np.where(is_kept, 0.0, shown))
        count = int(np.count_nonzero(kept))
        self.summary.value = (
            f'<span style="font-size:16px">Temperature {settings["temperature"]:.2f}: '
            f"<b>{count:,}</b> of {probs.size:,} tokens can be drawn; "
            f"uncertainty (entropy) <b>{sampling.entropy(kept):.2f} bits</b>"
            f" (before top-k/top-p {sampling.entropy(probs):.2f} bits).</span>"
        )

    def _on_sample(self, button: widgets.Button | None = None) -> None:
        if self._current is None:
            raise ValueError("Choose or type a prompt first.")
        n = self.n_samples.value
        show_message(self.status, f"Sampling {n} continuation{'s' * (n > 1)} of {SAMPLE_TOKENS} tokens …")
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


def _shown_text(text: str) -> str:
    return text.replace("\n", " ↵ ") or "(stopped at once)"


def sampling_explorer(model: LanguageModel | None = None) -> SamplingExplorer:
    """The live sampling explorer (loads SmolLM2 on first use when ``model`` is None)."""
    return SamplingExplorer(model)
