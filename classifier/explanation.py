"""Plain-text account of one company's scores, read back from the store."""

from __future__ import annotations

import json


def _score(db, company_id: str, task: str) -> dict | None:
    rows = list(db.query("select * from scores where entity = 'company' and entity_id = ? "
                         "and task = ?", [company_id, task]))
    return {**rows[0], "details": json.loads(rows[0]["details"] or "{}")} if rows else None


def render(db, company_id: str) -> str:
    """Scores and evidence of *company_id*; KeyError if it is unknown or not yet scored."""
    company = list(db.query("select name, website from companies where company_id = ?",
                            [company_id]))
    if not company:
        raise KeyError(f"no company {company_id!r} in the store")
    digital, startup = _score(db, company_id, "digital"), _score(db, company_id, "startup")
    if digital is None:
        raise KeyError(f"company {company_id!r} has no scores yet; run `ruhrindex classify` "
                       f"(after a crawl that reached its site)")
    lines = [f"{company_id}  {company[0]['name']}  {company[0]['website'] or ''}",
             f"digital affinity  {digital['score']:.2f}  "
             f"({'digital' if digital['label'] else 'not digital'}, model {digital['model']})"]
    lines += [f"  sentence: {s}" for s in digital["details"].get("sentences", [])]
    lines.append("  terms for: " + (", ".join(digital["details"].get("terms", [])) or "none"))
    lines.append("  terms against: " + (", ".join(digital["details"].get("against", [])) or "none"))
    if startup:
        d = startup["details"]
        found = d.get("founding", {})
        age = "unknown" if d.get("age") is None else f"{d['age']} years"
        lines += [f"startup  {'yes' if startup['label'] else 'no'}  (probability "
                  f"{startup['score']:.2f}, model {startup['model']})",
                  f"  age: {age}; founding year {found.get('year') or '?'} from "
                  f"{found.get('source') or 'nowhere'}"
                  + (f": \"{found['evidence']}\"" if found.get("evidence") else ""),
                  f"  digital-model probability {d.get('digital_probability', 0):.2f}"]
    ai = _score(db, company_id, "ai-skills")
    if ai:
        d = ai["details"]
        lines.append(f"AI-skill demand  {d['asking']} of {d['ads']} job ads ask for AI skills"
                     + (f" ({', '.join(d['skills'])})" if d["skills"] else ""))
    return "\n".join(lines)
