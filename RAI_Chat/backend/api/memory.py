"""`/api/memory`."""

from flask_openapi3 import APIBlueprint, Tag

memory_bp = APIBlueprint("memory", __name__, abp_tags=[Tag(name="memory")])
