"""GPT-2 story continuation. FastAPI serves /openapi.json, so Portico can show its API docs."""
import torch
from fastapi import FastAPI
from pydantic import BaseModel
from transformers import pipeline

device = 0 if torch.cuda.is_available() else -1
generator = pipeline("text-generation", model="gpt2", device=device)
app = FastAPI(title="gpt2-story")


class Prompt(BaseModel):
    text: str
    max_new_tokens: int = 40


@app.get("/")
def index():
    return {"model": "gpt2", "device": "cuda" if device == 0 else "cpu", "try": "POST /generate {\"text\": \"Once upon a time\"}"}


@app.post("/generate")
def generate(prompt: Prompt):
    out = generator(prompt.text, max_new_tokens=min(prompt.max_new_tokens, 200), do_sample=True)
    return {"text": out[0]["generated_text"]}
