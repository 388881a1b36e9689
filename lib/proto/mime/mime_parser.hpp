// RFC 5322 / MIME message parser, line by line. The protocol parser (SMTP DATA/BDAT, POP3 RETR,
// IMAP FETCH/APPEND literals) hands it the lines of one message, already dot-unstuffed, and calls
// end() when the message is over. It reports fields, headers and anomalies to the EventSink as
// they are parsed and fills an EmailMessage whose strings live in the caller's StringArena.
// Bodies are not decoded, except the first `body_prefix` bytes of each leaf part.
// No heap, no exceptions; the object has a fixed size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/anomaly_catalog.hpp"
#include "proto/common/anomaly_reporter.hpp"
#include "proto/common/base64.hpp"
#include "proto/common/byte_span.hpp"
#include "proto/common/line_assembler.hpp"
#include "proto/common/string_arena.hpp"
#include "proto/events.hpp"
#include "proto/mime/email_message.hpp"
#include "proto/mime/file_hasher.hpp"
#include "proto/mime/image_tail.hpp"
#include "proto/mime/mime_limits.hpp"

namespace postern::proto {

struct MimeStats {
    uint64_t messages = 0;
    uint64_t parts = 0;
    uint64_t headers = 0;
    uint64_t headers_dropped = 0;  // beyond headers_per_message
    uint64_t header_fields_truncated = 0;  // beyond header_field bytes
    uint64_t strings_truncated = 0;  // arena full
    uint64_t depth_exceeded = 0;
    uint64_t parts_dropped = 0;  // beyond parts_per_message or EmailMessage::kMaxParts
    uint64_t anomalies[static_cast<size_t>(MimeAnomaly::Count)] = {};
};

class MimeParser {
public:
    MimeParser(const MimeLimits &limits, EventSink &sink, StringArena &arena);
    MimeParser(const MimeParser &) = delete;
    MimeParser &operator=(const MimeParser &) = delete;

    // Starts a message of transaction `tx_id`; `out` is cleared and filled until end(). Anomalies
    // are reported once per message.
    void begin(EmailMessage &out, uint32_t tx_id = 0);
    // One line of the message (from a LineAssembler: overlong heads/tails and unterminated tails
    // included). Ignored outside begin()/end().
    void on_line(const Line &line);
    // Bytes of the message were lost; parsing goes on at the next line.
    void on_gap();
    // The message is over: closes open parts and reports what was left unfinished.
    void end();
    // The input the lines came from may go away now. Whole lines that lie one after another in
    // the input are hashed and stored as one run, by reference, until a line breaks the run or
    // this is called: SHA-256 costs 1.7 CPU cycles per byte in 76-byte calls, 1.4 in runs of a
    // segment, and 7 per byte for the 2-byte line ends it used to get alone.
    void input_done() { flush_message_bytes(); }

    // Called by the carrier before it asks `lines` (its assembler of message lines) for the next
    // line. Inside a leaf part past its kept prefix only counts are left to keep; there, when
    // `lines` is at a line start, this takes from the front of `in` the lines that on_line would
    // only count, and counts them as it would: whole lines ended by CRLF, within the assembler's
    // limit and 998 content bytes, that do not start with '.' (a terminator or dot-stuffing) or
    // '-' (a boundary). It stops at the first other line, which the carrier passes to on_line as
    // before. Returns the number of lines taken (0 anywhere else).
    size_t count_body_lines(ByteSpan &in, const LineAssembler &lines) {
        if (msg_ == nullptr || state_ != State::LeafBody || !only_counting() || !lines.at_line_start()) return 0;
        return count_line_run(in, lines.max_line());
    }

    bool in_message() const { return msg_ != nullptr; }
    // Reading a header section (the carrying protocol may apply its header line limit).
    bool in_headers() const { return msg_ != nullptr && state_ == State::Headers; }
    const MimeStats &stats() const { return stats_; }

private:
    enum class State : uint8_t { Headers, LeafBody, ContainerBody };

    // The entity (message, embedded message or part) whose headers or body are being read.
    struct Entity {
        MimePartInfo info;
        char boundary[MimeLimits::kMaxBoundary];
        uint8_t boundary_len = 0;
        bool has_boundary_param = false;
        bool multipart = false;
        bool embedded_message = false;  // message/rfc822
        bool top_level = false;  // the message's own header section: fills EmailMessage fields
        uint32_t header_count = 0;
        uint64_t header_bytes = 0;
        uint8_t singletons_seen = 0;  // bit per From/Sender/To/Cc/Subject/Date/Message-ID/Reply-To
        std::string_view type_name;  // Content-Type name= (decoded)
        std::string_view disposition_filename;  // Content-Disposition filename= (decoded)
    };
    struct Level {  // an open multipart
        char boundary[MimeLimits::kMaxBoundary];
        uint8_t boundary_len = 0;
        uint8_t part_depth = 0;  // depth of its body parts
    };

    void anomaly(MimeAnomaly a) { anomalies_.report(a); }
    void header_line(const Line &line);
    void flush_header();
    void process_header(std::string_view name, std::string_view value);
    void process_top_level_header(std::string_view name, std::string_view value);
    void parse_content_type(std::string_view value);
    void parse_content_disposition(std::string_view value);
    void end_of_headers();
    void start_entity(uint8_t depth, bool top_level);
    void start_leaf();
    void leaf_line(const Line &line);
    void leaf_piece(std::string_view text);
    // Neither base64 nor quoted-printable: the text is the content.
    bool plain_leaf() const {
        return entity_.info.encoding != TransferEncoding::Base64 && entity_.info.encoding != TransferEncoding::QuotedPrintable;
    }
    void message_bytes(const Line &line);
    void flush_message_bytes();
    void add_message_bytes(const char *p, size_t n);  // to the message's digest and extraction
    void finish_leaf();
    // A leaf's decoded bytes: prefix, image tail, digest, extraction. Past a text part's prefix
    // only their count is left to keep, and that case (most of a long text body) stays inline.
    void take_decoded(const uint8_t *p, size_t n) {
        if (only_counting()) {
            decoded_bytes_ += n;
            return;
        }
        keep_decoded(p, n);
    }
    // Nothing wants the leaf's decoded bytes any more, only their number: base64 and
    // quoted-printable lines are then counted, not decoded.
    bool only_counting() const {
        return prefix_len_ >= limits_.body_prefix && !tail_.watching() && !part_hash_.active() && !part_store_;
    }
    void keep_decoded(const uint8_t *p, size_t n);
    size_t count_line_run(ByteSpan &in, uint32_t max_line);  // count_body_lines' work
    // With only_counting(): base64 text, or a quoted-printable line (with its break, if it has one).
    void count_base64(std::string_view text);
    void count_quoted_printable(std::string_view line, bool line_break);
    void report_file(FileEvent &file, FileHasher &hasher, uint32_t &store_handle);
    bool boundary_line(std::string_view text);
    void store_address_list(std::string_view value, BoundedList<std::string_view, EmailMessage::kMaxAddresses> &list,
                            Field field);

    MimeLimits limits_;
    EventSink &sink_;
    StringArena &arena_;
    EmailMessage *msg_ = nullptr;
    MimeStats stats_;
    AnomalyReporter<MimeAnomaly> anomalies_{sink_, stats_.anomalies};

    State state_ = State::Headers;
    Entity entity_;
    Level levels_[MimeLimits::kMaxDepth];
    uint8_t level_count_ = 0;
    uint8_t depth_ = 0;  // depth of entity_
    uint32_t parts_seen_ = 0;

    // The header field being unfolded: name in [0, name_len_), value after it.
    char header_[MimeLimits::kMaxHeaderField];
    size_t header_len_ = 0;
    size_t header_name_len_ = 0;
    bool header_open_ = false;
    bool header_truncated_ = false;

    // The leaf part being read.
    MimePartInfo *part_ = nullptr;  // its slot in msg_->parts, or nullptr when not kept
    uint64_t part_size_ = 0;
    Base64Decoder base64_;
    bool qp_invalid_ = false;
    bool long_encoded_line_ = false;  // MimePartEnd::long_encoded_line
    bool part_gap_ = false;  // bytes of this part were lost: skip the base64 end check
    uint8_t prefix_[MimeLimits::kMaxBodyPrefix];
    size_t prefix_len_ = 0;
    ImageTail tail_;  // bytes after an image's end marker (MimePartEnd)
    uint64_t decoded_bytes_ = 0;
    FileHasher part_hash_;  // the attachment being read, decoded
    FileHasher message_hash_;  // the whole message as transferred
    uint32_t tx_id_ = 0;  // of the message, for its files' records
    uint64_t overlong_seen_ = 0;  // content bytes of the current overlong line handed to us so far
    uint32_t part_store_ = 0;  // on_file_begin's handles (0: the bytes are not handed out)
    uint32_t message_store_ = 0;
    // Message bytes not yet hashed or stored: a run of whole lines in the input (input_done).
    const char *run_ = nullptr;
    size_t run_len_ = 0;
};

// MimeParser with its own line assembler, for callers that have raw message bytes (an IMAP
// literal, a fuzzer, a test).
class MimeStreamParser {
public:
    static constexpr uint32_t kMaxLine = 2048;
    MimeStreamParser(const MimeLimits &limits, EventSink &sink, StringArena &arena, uint32_t max_line = 1000)
        : lines_(max_line), parser_(limits, sink, arena) {
        lines_.set_report_middle(true);
    }

    void begin(EmailMessage &out) { lines_.reset(), parser_.begin(out); }
    void feed(const uint8_t *data, size_t len);
    void on_gap(), end();
    const MimeParser &parser() const { return parser_; }

private:
    FixedLineAssembler<kMaxLine> lines_;
    MimeParser parser_;
};

}  // namespace postern::proto
