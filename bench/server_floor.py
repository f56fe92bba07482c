"""The floor of ``bench/server.py``: a bare FastAPI endpoint doing one indexed SELECT on the same
database, served the same way (uvicorn workers), so the sync's cost is read as a ratio to it."""

from __future__ import annotations

import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

FLOOR_DB_ENV = "HOMEROOM_BENCH_FLOOR_DB"


def app() -> FastAPI:
    engine = create_engine(os.environ[FLOOR_DB_ENV])
    floor = FastAPI()

    @floor.post("/floor")
    def one_select(body: dict[str, int]) -> dict[str, int]:
        with engine.connect() as connection:
            seq = connection.execute(
                text("SELECT seq FROM change_counter WHERE class_id = :c"), {"c": body["class_id"]}
            ).scalar()
        return {"seq": int(seq or 0)}

    return floor
