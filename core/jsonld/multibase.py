"""Multibase base58btc ('z') and Ed25519 Multikey (multicodec ed25519-pub, 0xed01) encodings,
as Data Integrity proofs and Multikey documents use them."""

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(B58_ALPHABET)}
# The unsigned varint of the ed25519-pub multicodec (0xed), as Multikey prefixes the raw key.
ED25519_PUB_PREFIX = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(B58_ALPHABET[rest])
    # Each leading zero byte is a leading "1".
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ValueError("not base58btc") from None
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def multibase_b58_encode(data: bytes) -> str:
    return "z" + b58encode(data)


def multibase_b58_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not a multibase base58btc value (must start with 'z')")
    return b58decode(text[1:])


def ed25519_multikey(raw_public_key: bytes) -> str:
    """publicKeyMultibase of an Ed25519 key: z6Mk..."""
    if len(raw_public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return multibase_b58_encode(ED25519_PUB_PREFIX + raw_public_key)


def ed25519_from_multikey(multikey: str) -> bytes:
    data = multibase_b58_decode(multikey)
    if not data.startswith(ED25519_PUB_PREFIX) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return data[2:]
