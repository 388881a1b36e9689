// What the message parser keeps of one message: the RFC 5322 fields detectors and EVE need and
// a summary of the MIME tree. Views point into the owner's StringArena (valid until it is
// cleared, i.e. for the transaction); lists are bounded and count what they dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/named_enum.hpp"

namespace postern::proto {

template <typename T, size_t N>
struct BoundedList {
    static constexpr size_t kCapacity = N;
    T items[N] = {};
    uint32_t kept = 0;  // items[0..kept)
    uint32_t total = 0;  // including the ones that did not fit

    // Appends v when there is room; always counts it. Returns the stored item or nullptr.
    T *push(const T &v) {
        ++total;
        if (kept >= N) return nullptr;
        items[kept] = v;
        return &items[kept++];
    }
    bool empty() const { return total == 0; }
    const T *begin() const { return items; }
    const T *end() const { return items + kept; }
    void clear() { kept = 0, total = 0; }
};

#define POSTERN_TRANSFER_ENCODINGS(X)                                               \
    X(SevenBit, "7bit") X(EightBit, "8bit") X(Binary, "binary") X(Base64, "base64") \
    X(QuotedPrintable, "quoted-printable") X(Unknown, "unknown")
POSTERN_NAMED_ENUM(TransferEncoding, POSTERN_TRANSFER_ENCODINGS);
constexpr std::string_view transfer_encoding_name(TransferEncoding e) {
    return util::enum_name(kTransferEncodingNames, e, "unknown");
}

struct MimePartInfo {
    std::string_view content_type;  // "type/subtype", lower case; empty: default text/plain
    std::string_view charset;
    std::string_view disposition;  // "attachment", "inline" or empty
    std::string_view filename;  // from Content-Disposition filename or Content-Type name, decoded
    TransferEncoding encoding = TransferEncoding::SevenBit;
    uint8_t depth = 0;  // 0: the message itself
    uint64_t size = 0;  // body bytes as transferred (still encoded)
    bool is_attachment() const { return disposition == "attachment" || !filename.empty(); }
};

struct EmailMessage {
    static constexpr size_t kMaxAddresses = 16;
    static constexpr size_t kMaxReceived = 8;
    static constexpr size_t kMaxParts = 16;

    std::string_view from;  // display names RFC 2047-decoded
    std::string_view subject;  // RFC 2047-decoded
    std::string_view date;
    std::string_view message_id;
    std::string_view reply_to;
    std::string_view return_path;
    std::string_view x_mailer;
    std::string_view user_agent;
    BoundedList<std::string_view, kMaxAddresses> to;
    BoundedList<std::string_view, kMaxAddresses> cc;
    BoundedList<std::string_view, kMaxReceived> received;
    BoundedList<MimePartInfo, kMaxParts> parts;  // leaf parts in stream order

    uint32_t header_count = 0;  // top-level header fields
    uint32_t x_header_count = 0;  // top-level X-* fields
    uint64_t header_bytes = 0;  // top-level header section
    uint64_t size = 0;  // whole message as transferred (after dot-unstuffing)
    bool multipart = false;
    bool complete = false;  // end() was reached without a gap
    bool gap = false;  // bytes were lost
    bool truncated = false;  // some string was cut (arena or field buffer full)
    bool boundary_missing = false;

    void clear() { *this = EmailMessage{}; }
    uint32_t attachment_count() const {
        uint32_t n = 0;
        for (const auto &p : parts)
            if (p.is_attachment()) ++n;
        return n;
    }
};

}  // namespace postern::proto
