// Anomalies of the RFC 5322 / MIME parser. Names are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

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

// The same three lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class MimeAnomaly : uint8_t { POSTERN_MIME_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<MimeAnomaly> kMimeAnomalies{AnomalySource::Mime, "mime.unknown",
                                                          {POSTERN_MIME_ANOMALIES(POSTERN_ANOMALY_NAME)}};
constexpr std::string_view anomaly_name(MimeAnomaly a) { return kMimeAnomalies.name(a); }

constexpr AnomalyKind anomaly_kind(MimeAnomaly a) {
    switch (a) {
    case MimeAnomaly::HeaderTooLong: return AnomalyKind::LineTooLong;
    case MimeAnomaly::HeaderSectionTooLong: return AnomalyKind::LineTooLong;
    default: return AnomalyKind::Other;
    }
}
constexpr AnomalyEvent anomaly_event(MimeAnomaly a) { return kMimeAnomalies.event(a, anomaly_kind(a)); }

}  // namespace postern::proto
