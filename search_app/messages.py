"""Vietnamese reasons for request validation errors (users read them; pydantic's are English).

Consumes one pydantic/FastAPI error item ({"type", "loc", "msg", "ctx"}); produces its message in
Vietnamese, naming the field ("Câu hỏi", "Danh sách đoạn"), never quoting the rejected value.
"""

from __future__ import annotations

FIELD_NAMES = {
    "q": "Câu hỏi",
    "k": "Số kết quả (k)",
    "offset": "Vị trí bắt đầu (offset)",
    "year": "Năm",
    "paragraph_ids": "Danh sách đoạn",
    "format": "Định dạng",
    "body": "Nội dung yêu cầu",
}
MESSAGES = {
    "missing": "{field}: thiếu, cần có.",
    "string_too_long": "{field} quá dài; tối đa {max_length} ký tự.",
    "string_too_short": "{field} trống; hãy nhập ít nhất {min_length} ký tự.",
    "string_pattern_mismatch": "{field} không được chỉ gồm khoảng trắng.",
    "too_long": "{field} quá nhiều phần tử; tối đa {max_length}.",
    "too_short": "{field} cần ít nhất {min_length} phần tử.",
    "int_parsing": "{field} phải là số nguyên.",
    "int_type": "{field} phải là số nguyên.",
    "greater_than_equal": "{field} phải từ {ge} trở lên.",
    "less_than_equal": "{field} tối đa là {le}.",
    "literal_error": "{field} chỉ nhận: {expected}.",
    "string_type": "{field} phải là chuỗi ký tự.",
    "list_type": "{field} phải là danh sách.",
    "model_attributes_type": "{field} phải là đối tượng JSON.",
    "dict_type": "{field} phải là đối tượng JSON.",
    "extra_forbidden": "Trường {field} không được hỗ trợ.",
    "json_invalid": "Nội dung không phải JSON hợp lệ.",
    "model_type": "{field} phải là đối tượng JSON.",
}


def vietnamese_reason(error: dict) -> str:
    """The error's message in Vietnamese, or its own message when the type is not listed."""
    loc = [part for part in error.get("loc", ()) if isinstance(part, str)]
    name = next((FIELD_NAMES[p] for p in reversed(loc) if p in FIELD_NAMES), loc[-1] if loc else "Giá trị")
    template = MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", ""))
    values = {k: str(v)[:100] for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(field=name, **values)
    except (KeyError, IndexError):
        return str(error.get("msg", ""))
