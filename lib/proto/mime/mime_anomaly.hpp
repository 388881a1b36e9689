// Anomalies of the RFC 5322 / MIME parser. Names are documented in docs/anomalies.md.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/common/anomaly_table.hpp"

namespace postern::proto {

#define POSTERN_MIME_ANOMALIES(X)                                              \
    X(HeaderTooLong, "mime.header_too_long", LineTooLong)                      \
    X(TooManyHeaders, "mime.too_many_headers", Other)                          \
    X(HeaderSectionTooLong, "mime.header_section_too_long", LineTooLong)       \
    X(InvalidHeaderLine, "mime.invalid_header_line", Other)                    \
    X(DuplicateHeader, "mime.duplicate_header", Other)                         \
    X(MissingBoundary, "mime.missing_boundary", Other)                         \
    X(InvalidBoundary, "mime.invalid_boundary", Other)                         \
    X(MissingCloseBoundary, "mime.missing_close_boundary", Other)              \
    X(DepthExceeded, "mime.depth_exceeded", Other)                             \
    X(TooManyParts, "mime.too_many_parts", Other)                              \
    X(InvalidBase64, "mime.invalid_base64", Other)                             \
    X(InvalidQuotedPrintable, "mime.invalid_quoted_printable", Other)          \
    X(EncodedLineTooLong, "mime.encoded_line_too_long", LineTooLong)           \
    X(InvalidEncodedWord, "mime.invalid_encoded_word", Other)                  \
    X(UnknownTransferEncoding, "mime.unknown_transfer_encoding", Other)

// The same four lines in every *_anomaly.hpp on purpose: the declaration anomaly_table.hpp shows.
enum class MimeAnomaly : uint8_t { POSTERN_MIME_ANOMALIES(POSTERN_ANOMALY_ID) Count };
inline constexpr AnomalyTable<MimeAnomaly> kMimeAnomalies{AnomalySource::Mime, "mime.unknown",
    {POSTERN_MIME_ANOMALIES(POSTERN_ANOMALY_NAME)}, {POSTERN_MIME_ANOMALIES(POSTERN_ANOMALY_KIND)}};
constexpr std::string_view anomaly_name(MimeAnomaly a) { return kMimeAnomalies.name(a); }
constexpr AnomalyEvent anomaly_event(MimeAnomaly a) { return kMimeAnomalies.event(a); }

}  // namespace postern::proto
