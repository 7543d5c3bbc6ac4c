"""Request bodies of the OpenAI wire protocol (the subset the engine serves)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class FunctionCall(BaseModel):
    name: str = Field(min_length=1)
    arguments: str = "{}"


class ToolCall(BaseModel):
    """A tool call the assistant made (in an earlier assistant message)."""

    id: str = Field(min_length=1)
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @model_validator(mode="after")
    def _tool_fields(self) -> ChatMessage:
        if self.role == "tool" and not self.tool_call_id:
            raise ValueError("a message of role tool needs tool_call_id")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only an assistant message carries tool_calls")
        return self

    def text(self) -> str:
        """The message's text; content parts that are not text are ignored."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or "" for part in self.content if part.type == "text")


class StreamOptions(BaseModel):
    include_usage: bool = False


class JsonSchemaFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = "response"
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    """OpenAI's ``response_format``: plain text, any JSON object, or JSON that follows a
    schema (the local model is held to it by a llama.cpp grammar)."""

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None

    @model_validator(mode="after")
    def _schema_given(self) -> ResponseFormat:
        if self.type == "json_schema" and self.json_schema is None:
            raise ValueError("response_format of type json_schema needs json_schema")
        return self

    def wanted_schema(self) -> dict[str, Any] | None:
        """The JSON schema the answer must follow; ``{}`` for any JSON object; None: text."""
        if self.type == "json_schema" and self.json_schema is not None:
            return self.json_schema.schema_
        if self.type == "json_object":
            return {"type": "object"}
        return None


class FunctionDefinition(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class ToolDefinition(BaseModel):
    """OpenAI's ``tools`` item: a function the model may call."""

    type: Literal["function"]
    function: FunctionDefinition


class NamedToolChoice(BaseModel):
    type: Literal["function"]
    function: dict[str, str]

    @field_validator("function")
    @classmethod
    def _named(cls, value: dict[str, str]) -> dict[str, str]:
        if not value.get("name"):
            raise ValueError("tool_choice.function needs a name")
        return value


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int = Field(default=1, ge=1, le=1)
    response_format: ResponseFormat | None = None
    tools: list[ToolDefinition] | None = Field(default=None, max_length=128)
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None

    @model_validator(mode="after")
    def _tool_choice_names_a_tool(self) -> ChatCompletionRequest:
        if isinstance(self.tool_choice, NamedToolChoice):
            names = {t.function.name for t in self.tools or []}
            if self.tool_choice.function["name"] not in names:
                raise ValueError("tool_choice names a function that is not in tools")
        elif self.tool_choice in ("auto", "required") and not self.tools:
            raise ValueError(f"tool_choice {self.tool_choice!r} needs tools")
        return self

    def tool_choice_value(self) -> str | dict | None:
        """``none``/``auto``/``required``, or ``{"name": ...}`` for one named function."""
        if isinstance(self.tool_choice, NamedToolChoice):
            return {"name": self.tool_choice.function["name"]}
        return self.tool_choice

    @field_validator("stop")
    @classmethod
    def _at_most_four_stops(cls, value: str | list[str] | None) -> list[str]:
        stops = [value] if isinstance(value, str) else list(value or [])
        if len(stops) > 4:
            raise ValueError("at most 4 stop sequences")
        return [s for s in stops if s]

    def token_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    input: str | list[str] = Field()
    encoding_format: Literal["float", "base64"] = "float"

    def inputs(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else self.input

    @field_validator("input")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("input must not be empty")
        return value


class TokenizeRequest(BaseModel):
    """Count tokens with the model's own tokenizer: a text, or messages as the model sees them."""

    model: str = Field(min_length=1)
    input: str | None = None
    messages: list[ChatMessage] | None = None

    @model_validator(mode="after")
    def _input_or_messages(self) -> TokenizeRequest:
        if self.input is None and not self.messages:
            raise ValueError("give either input (a text) or messages")
        return self
