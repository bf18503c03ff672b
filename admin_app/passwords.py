"""The password policy, one plain function used wherever a password is set (user form, seed files)."""

from __future__ import annotations

MIN_LENGTH = 8
MAX_LENGTH = 200

#: Passwords that are tried first by anyone guessing; compared without case.
COMMON = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "88888888", "66666666",
    "00000000", "password", "password1", "password123", "passw0rd", "p@ssw0rd", "qwertyui",
    "qwerty123", "qwe12345", "qweasdzxc", "1qaz2wsx", "1q2w3e4r", "1q2w3e4r5t", "zaq12wsx",
    "abc12345", "abcd1234", "a1234567", "a12345678", "aa123456", "admin123", "admin1234",
    "administrator", "root1234", "test1234", "welcome1", "iloveyou", "woaini1314", "woaini520",
    "5201314a", "qq123456", "asdf1234", "asdfghjk", "zxcvbnm1", "changeme", "letmein1",
    "kefu1234", "kefu12345",
})


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password may not be used, in Chinese; ``None`` when it may."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位。"
    if password.isdigit():
        return "密码不能全是数字,请加入字母或符号。"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与登录名相同。"
    if password.lower() in COMMON:
        return "这个密码太常见,容易被猜中,请换一个。"
    return None
