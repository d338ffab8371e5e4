#!/usr/bin/env python3
"""The PyTorch + transformers reference for `rlhf reward train`: the same backbone and head
(BertForSequenceClassification over all-MiniLM-L6-v2, num_labels 1, score from the pooled [CLS]), the same
splits, the same truncation from the left (the last turn kept, [CLS] ... [SEP] around it), AdamW
(weight decay 0.01, 10% linear warm-up, then constant), the global gradient norm clipped to 1 as the
transformers Trainer does, batches padded to their longest row. It prints one JSON line with the held-out
accuracy and loss and the epoch's wall time, so `docs/RESULTS.md` can set it beside `rlhf reward train`.

    P=~/.cache/swift-rlhf-peer/venv/bin/python
    $P scripts/peer/reward_train.py --format dexperts --data ../shared/data/dexperts-human-judgments.jsonl.gz \
        --model models/all-minilm-l6-v2 --threads 2
"""
import argparse, gzip, json, math, random, time

import torch
from transformers import AutoTokenizer, BertForSequenceClassification


def lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def hh_pair(row):
    """The shared prompt (the longest common start cut back to its last Assistant marker) and the two final turns."""
    c, r = row["chosen"], row["rejected"]
    n = 0
    while n < min(len(c), len(r)) and c[n] == r[n]:
        n += 1
    cut = c[:n].rfind("\n\nAssistant:")
    cut = cut + len("\n\nAssistant:") if cut >= 0 else 0
    return c[:cut], c[cut:], r[cut:]


def dexperts_pair(row):
    if row.get("task") != "sentiment":
        return None
    votes = row["votes"]
    question = "positive" if "positive" in votes else "negative"
    answer = votes[question]
    if answer == "equal":
        return None
    a_positive = (answer == "a") == (question == "positive")
    a, b = row["a"], row["b"]
    return row["prompt"], (a if a_positive else b), (b if a_positive else a), row["prompt_id"]


def held_out(count, fraction):
    return min(count, int(math.floor(count * fraction + 0.5)))


def load(args):
    """(train, eval): pairs as (chosen text, rejected text), labelled texts as (text, label)."""
    if args.format == "hh":
        pairs = [hh_pair(r) for r in lines(args.data)]
        texts = [(p + c, p + r) for p, c, r in pairs]
        k = len(texts) - held_out(len(texts), args.eval_fraction)
        return texts[:k], texts[k:]
    if args.format == "dexperts":
        rows = [p for p in map(dexperts_pair, lines(args.data)) if p]
        groups = sorted({g for *_, g in rows}, key=lambda g: (0, int(g), "") if g.isdigit() else (1, 0, g))
        train_groups = set(groups[: len(groups) - held_out(len(groups), args.eval_fraction)])
        train = [(p + c, p + r) for p, c, r, g in rows if g in train_groups]
        held = [(p + c, p + r) for p, c, r, g in rows if g not in train_groups]
        return train, held
    rng = random.Random(args.seed)

    def balanced(path, n):
        reviews = [(r["text"].replace("<br />", " "), int(r["label"])) for r in lines(path)]
        pos = [x for x in reviews if x[1] == 1]
        neg = [x for x in reviews if x[1] == 0]
        rng.shuffle(pos)
        rng.shuffle(neg)
        chosen = pos[: n // 2] + neg[: n - n // 2]
        rng.shuffle(chosen)
        return chosen

    return balanced(args.data, args.train_size), balanced(args.eval_data, args.eval_size)


def encode(tokenizer, text, max_len):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    ids = ids[-(max_len - 2):]
    return [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]


def batch(rows, pad):
    T = max(len(r) for r in rows)
    ids = torch.tensor([r + [pad] * (T - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (T - len(r)) for r in rows])
    return ids, mask


def rewards(model, rows, pad, size=16):
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), size):
            ids, mask = batch(rows[i:i + size], pad)
            out.append(model(input_ids=ids, attention_mask=mask).logits[:, 0])
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/all-minilm-l6-v2")
    ap.add_argument("--data", required=True)
    ap.add_argument("--eval-data")
    ap.add_argument("--format", choices=["hh", "dexperts", "imdb"], required=True)
    ap.add_argument("--eval-fraction", type=float, default=0.2)
    ap.add_argument("--train-size", type=int, default=2000)
    ap.add_argument("--eval-size", type=int, default=2000)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dropout", type=float, default=0.0, help="hidden and attention dropout (0: as rlhf, which has none)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit-steps", type=int, help="stop after this many steps (a timing probe)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    lr = args.lr or (5e-5 if args.format == "imdb" else 2e-5)

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = BertForSequenceClassification.from_pretrained(
        args.model, num_labels=1, hidden_dropout_prob=args.dropout, attention_probs_dropout_prob=args.dropout)
    pad = tokenizer.pad_token_id
    train, held = load(args)
    pointwise = args.format == "imdb"
    if pointwise:
        train_rows = [(encode(tokenizer, t, args.max_len), y) for t, y in train]
        held_rows = [(encode(tokenizer, t, args.max_len), y) for t, y in held]
    else:
        train_rows = [(encode(tokenizer, c, args.max_len), encode(tokenizer, r, args.max_len)) for c, r in train]
        held_rows = [(encode(tokenizer, c, args.max_len), encode(tokenizer, r, args.max_len)) for c, r in held]

    def evaluate():
        model.eval()
        if pointwise:
            logits = rewards(model, [r for r, _ in held_rows], pad)
            labels = torch.tensor([y for _, y in held_rows], dtype=torch.float32)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels).item()
            accuracy = ((logits > 0).float() == labels).float().mean().item()
        else:
            rc = rewards(model, [c for c, _ in held_rows], pad)
            rr = rewards(model, [r for _, r in held_rows], pad)
            loss = -torch.nn.functional.logsigmoid(rc - rr).mean().item()
            accuracy = (rc > rr).float().mean().item()
        model.train()
        return loss, accuracy

    steps_per_epoch = (len(train_rows) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warmup = total // 10
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) if warmup else 1.0)
    model.train()
    order_rng = random.Random(args.seed)
    epoch_seconds, step = [], 0
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = list(range(len(train_rows)))
        order_rng.shuffle(order)
        for i in range(0, len(order), args.batch):
            chunk = [train_rows[j] for j in order[i:i + args.batch]]
            if pointwise:
                ids, mask = batch([r for r, _ in chunk], pad)
                logits = model(input_ids=ids, attention_mask=mask).logits[:, 0]
                labels = torch.tensor([y for _, y in chunk], dtype=torch.float32)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            else:
                ids, mask = batch([c for c, _ in chunk] + [r for _, r in chunk], pad)
                out = model(input_ids=ids, attention_mask=mask).logits[:, 0]
                n = len(chunk)
                loss = -torch.nn.functional.logsigmoid(out[:n] - out[n:]).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if args.limit_steps and step >= args.limit_steps:
                break
        epoch_seconds.append(time.perf_counter() - start)
    loss, accuracy = evaluate() if not args.limit_steps else (float("nan"), float("nan"))
    print(json.dumps({"impl": "pytorch", "format": args.format, "threads": args.threads, "steps": step,
                      "train_examples": len(train_rows), "eval_examples": len(held_rows), "eval_accuracy": accuracy,
                      "eval_loss": loss, "epoch_seconds": epoch_seconds, "seconds_per_step": epoch_seconds[-1] / step}))


if __name__ == "__main__":
    main()
