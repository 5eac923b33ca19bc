"""Every table of the warehouse, declared once (see ``tables``); DDL, checks and docs derive from it."""

from talentflow.schema.model import Column, Schema, Table
from talentflow.schema.tables import SCHEMA

__all__ = ["Column", "Schema", "Table", "SCHEMA"]
