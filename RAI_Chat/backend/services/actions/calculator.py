"""``[CALCULATE: expr]``: arithmetic with simpleeval, within limits on size and time.
Never raises: the answer is a result or an error message."""

from __future__ import annotations

import math
import operator
import re
import time
from dataclasses import dataclass

import simpleeval

MAX_EXPRESSION_CHARS = 200
MAX_EXPONENT = 1000
MAX_RESULT_DIGITS = 1000  # integers with more digits are refused
MAX_SECONDS = 0.5
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_MAX_INT_BITS = int(MAX_RESULT_DIGITS * 3.33)


class CalculationError(ValueError):
    pass


@dataclass(frozen=True)
class Calculation:
    expression: str
    value: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def text(self) -> str:
        """Shown in place of the marker."""
        return self.value if self.ok else f"(could not calculate {self.expression}: {self.error})"


def _checked(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise CalculationError(f"the result has more than {MAX_RESULT_DIGITS} digits")
    if isinstance(value, float) and math.isinf(value):
        raise CalculationError("the result is too large")
    if isinstance(value, complex):
        raise CalculationError("the result is not a real number")
    return value


class _Evaluator:
    def __init__(self, deadline: float):
        self.deadline = deadline

    def guard(self, fn):
        def run(*args):
            if time.monotonic() > self.deadline:
                raise CalculationError("it took too long")
            if any(isinstance(a, bool) or not isinstance(a, int | float) for a in args):
                raise CalculationError("only numbers can be calculated")
            return _checked(fn(*args))

        return run

    def power(self, a, b):
        if abs(b) > MAX_EXPONENT:
            raise CalculationError(f"exponents above {MAX_EXPONENT} are not allowed")
        whole = isinstance(a, int) and isinstance(b, int)
        if whole and b > 0 and a.bit_length() * b > _MAX_INT_BITS + 64:
            raise CalculationError(f"the result has more than {MAX_RESULT_DIGITS} digits")
        return a**b

    def multiply(self, a, b):
        whole = isinstance(a, int) and isinstance(b, int)
        if whole and a.bit_length() + b.bit_length() > _MAX_INT_BITS + 64:
            raise CalculationError(f"the result has more than {MAX_RESULT_DIGITS} digits")
        return a * b

    def factorial(self, n):
        if not isinstance(n, int) or n < 0 or n > 400:
            raise CalculationError("factorial takes a whole number from 0 to 400")
        return math.factorial(n)


def _format(value) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return str(value)


def calculate(expression: str) -> Calculation:
    expr = expression.strip().replace("×", "*").replace("÷", "/").replace("^", "**")
    expr = _THOUSANDS.sub("", expr.replace("−", "-"))
    if not expr:
        return Calculation(expression, None, "the expression is empty")
    if len(expr) > MAX_EXPRESSION_CHARS:
        limit = f"expressions are limited to {MAX_EXPRESSION_CHARS} characters"
        return Calculation(expression[:40] + "…", None, limit)
    ev = _Evaluator(time.monotonic() + MAX_SECONDS)
    g = ev.guard
    operators = {
        simpleeval.ast.Add: g(operator.add),
        simpleeval.ast.Sub: g(operator.sub),
        simpleeval.ast.Mult: g(ev.multiply),
        simpleeval.ast.Div: g(operator.truediv),
        simpleeval.ast.FloorDiv: g(operator.floordiv),
        simpleeval.ast.Mod: g(operator.mod),
        simpleeval.ast.Pow: g(ev.power),
        simpleeval.ast.USub: g(operator.neg),
        simpleeval.ast.UAdd: g(operator.pos),
    }
    functions = {
        "sqrt": g(math.sqrt),
        "abs": g(abs),
        "round": g(round),
        "min": g(min),
        "max": g(max),
        "log": g(math.log),
        "log10": g(math.log10),
        "exp": g(math.exp),
        "sin": g(math.sin),
        "cos": g(math.cos),
        "tan": g(math.tan),
        "floor": g(math.floor),
        "ceil": g(math.ceil),
        "factorial": g(ev.factorial),
    }
    names = {"pi": math.pi, "e": math.e}
    try:
        value = simpleeval.SimpleEval(operators=operators, functions=functions, names=names).eval(
            expr
        )
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise CalculationError("the answer is not a number")
        return Calculation(expression, _format(_checked(value)), None)
    except ZeroDivisionError:
        return Calculation(expression, None, "division by zero")
    except CalculationError as exc:
        return Calculation(expression, None, str(exc))
    except (OverflowError, ValueError) as exc:
        return Calculation(expression, None, f"math error ({exc})")
    except KeyError:
        return Calculation(expression, None, "only + - * / // % ** and math functions are allowed")
    except SyntaxError:
        return Calculation(expression, None, "this is not an arithmetic expression")
    except simpleeval.InvalidExpression as exc:
        return Calculation(expression, None, f"not allowed ({exc})")
    except TypeError:
        return Calculation(expression, None, "a function got the wrong arguments")
    except Exception as exc:  # never let a calculation break the turn
        return Calculation(expression, None, f"not understood ({type(exc).__name__})")
