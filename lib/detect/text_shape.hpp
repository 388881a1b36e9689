// How a piece of text looks: Shannon entropy per character and whether a token is shaped like
// base64 or hex. Used by the encoded-field detector; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/named_enum.hpp"

namespace postern::detect {

#define POSTERN_TOKEN_SHAPES(X) X(Text, "text") X(Base64, "base64") X(Hex, "hex") X(Binary, "binary")
POSTERN_NAMED_ENUM(TokenShape, POSTERN_TOKEN_SHAPES);
constexpr std::string_view token_shape_name(TokenShape s) { return util::enum_name(kTokenShapeNames, s, "text"); }

// Shannon entropy of the bytes of `s`, in bits per byte.
double shannon_entropy(std::string_view s);

// Base64: only [A-Za-z0-9+/_-] with '=' padding at the end, letters of both cases and a digit.
// Hex: only hex digits, with a letter and a digit. Binary: control bytes or invalid UTF-8.
TokenShape classify_token(std::string_view token);

struct EncodedToken {
    std::string_view token;
    TokenShape shape = TokenShape::Text;
    double entropy = 0;
};

// The first whitespace-separated token of `value` that is at least `min_length` long, base64- or
// hex-shaped and above the entropy floor for its shape (or binary); shape Text when none is.
EncodedToken find_encoded_token(std::string_view value, uint32_t min_length, double min_b64_entropy,
                                double min_hex_entropy);

}  // namespace postern::detect
