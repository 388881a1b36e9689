// Anomalies of the RFC 5322 / MIME parser. Names are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

#define POSTERN_MIME_ANOMALIES(X)                                   \
    X(HeaderTooLong, "mime.header_too_long")                        \
    X(TooManyHeaders, "mime.too_many_headers")                      \
    X(HeaderSectionTooLong, "mime.header_section_too_long")         \
    X(InvalidHeaderLine, "mime.invalid_header_line")                \
    X(DuplicateHeader, "mime.duplicate_header")                     \
    X(MissingBoundary, "mime.missing_boundary")                     \
    X(InvalidBoundary, "mime.invalid_boundary")                     \
    X(MissingCloseBoundary, "mime.missing_close_boundary")          \
    X(DepthExceeded, "mime.depth_exceeded")                         \
    X(TooManyParts, "mime.too_many_parts")                          \
    X(InvalidBase64, "mime.invalid_base64")                         \
    X(InvalidQuotedPrintable, "mime.invalid_quoted_printable")      \
    X(InvalidEncodedWord, "mime.invalid_encoded_word")              \
    X(UnknownTransferEncoding, "mime.unknown_transfer_encoding")

enum class MimeAnomaly : uint8_t {
#define POSTERN_X(id, name) id,
    POSTERN_MIME_ANOMALIES(POSTERN_X)
#undef POSTERN_X
        Count
};

constexpr std::string_view mime_anomaly_name(MimeAnomaly a) {
    constexpr std::string_view names[] = {
#define POSTERN_X(id, name) name,
        POSTERN_MIME_ANOMALIES(POSTERN_X)
#undef POSTERN_X
    };
    const auto i = static_cast<unsigned>(a);
    return i < static_cast<unsigned>(MimeAnomaly::Count) ? names[i] : std::string_view{"mime.unknown"};
}

}  // namespace postern::proto
