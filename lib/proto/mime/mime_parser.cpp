#include "proto/mime/mime_parser.hpp"

#include <cstring>

#include "proto/common/ascii.hpp"
#include "proto/common/lf_scanner.hpp"
#include "proto/mime/encoded_words.hpp"
#include "proto/mime/file_magic.hpp"
#include "proto/mime/header_params.hpp"

namespace postern::proto {

namespace {

constexpr uint64_t kRfcMaxLine = 998;  // RFC 5322 2.1.1: octets of a line, without its CRLF

// Decoded header values are built here before they are reported and stored: the report must not
// depend on how full the transaction arena is. Twice the field size: Latin-1 doubles in UTF-8.
using Scratch = FixedStringArena<2 * MimeLimits::kMaxHeaderField>;

// Header fields RFC 5322 3.6 allows at most once.
enum Singleton : uint8_t {
    kFrom = 1 << 0,
    kSender = 1 << 1,
    kTo = 1 << 2,
    kCc = 1 << 3,
    kSubject = 1 << 4,
    kDate = 1 << 5,
    kMessageId = 1 << 6,
    kReplyTo = 1 << 7,
};

uint8_t singleton_bit(std::string_view name) {
    if (ascii::iequals(name, "From")) return kFrom;
    if (ascii::iequals(name, "Sender")) return kSender;
    if (ascii::iequals(name, "To")) return kTo;
    if (ascii::iequals(name, "Cc")) return kCc;
    if (ascii::iequals(name, "Subject")) return kSubject;
    if (ascii::iequals(name, "Date")) return kDate;
    if (ascii::iequals(name, "Message-ID")) return kMessageId;
    if (ascii::iequals(name, "Reply-To")) return kReplyTo;
    return 0;
}

bool valid_header_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 33 || b > 126 || c == ':') return false;
    }
    return true;
}

bool only_blanks(std::string_view s) {
    for (char c : s)
        if (!ascii::is_wsp(c)) return false;
    return true;
}

TransferEncoding parse_transfer_encoding(std::string_view v) {
    v = ascii::trim(header_token(v));
    if (ascii::iequals(v, "7bit") || v.empty()) return TransferEncoding::SevenBit;
    if (ascii::iequals(v, "8bit")) return TransferEncoding::EightBit;
    if (ascii::iequals(v, "binary")) return TransferEncoding::Binary;
    if (ascii::iequals(v, "base64")) return TransferEncoding::Base64;
    if (ascii::iequals(v, "quoted-printable")) return TransferEncoding::QuotedPrintable;
    return TransferEncoding::Unknown;
}

// Splits an address list on commas outside quotes, angle brackets and comments.
template <typename F>
void for_each_address(std::string_view list, F &&f) {
    size_t start = 0;
    int angle = 0, paren = 0;
    bool quoted = false;
    for (size_t i = 0; i <= list.size(); ++i) {
        const char c = i < list.size() ? list[i] : ',';
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
            if (i < list.size()) continue;
        }
        if (c == '"') quoted = true;
        else if (c == '<') ++angle;
        else if (c == '>' && angle > 0) --angle;
        else if (c == '(') ++paren;
        else if (c == ')' && paren > 0) --paren;
        else if (c == ',' && ((angle == 0 && paren == 0) || i >= list.size())) {
            const std::string_view a = ascii::trim(list.substr(start, i - start));
            if (!a.empty()) f(a);
            start = i + 1;
        }
    }
}

}  // namespace

MimeParser::MimeParser(const MimeLimits &limits, EventSink &sink, StringArena &arena)
    : limits_(limits.clamped()),
      sink_(sink),
      arena_(arena),
      part_hash_(limits_.file_hashes),
      message_hash_(limits_.message_hashes) {}

void MimeParser::begin(EmailMessage &out, uint32_t tx_id) {
    flush_message_bytes();  // a message begun over one not ended (IMAP) keeps its own bytes
    out.clear();
    tx_id_ = tx_id;
    msg_ = &out;
    anomalies_.reset();
    ++stats_.messages;
    level_count_ = 0;
    parts_seen_ = 0;
    part_ = nullptr;
    message_hash_.begin();
    message_store_ = limits_.file_store & kStoreMessages ? sink_.on_file_begin(FileBegin{true, {}, 0, false}) : 0;
    start_entity(0, true);
}

void MimeParser::start_entity(uint8_t depth, bool top_level) {
    entity_ = Entity{};
    entity_.top_level = top_level;
    entity_.info.depth = depth;
    depth_ = depth;
    state_ = State::Headers;
    header_open_ = false;
    header_len_ = 0;
}

// The message's digest and extraction see its bytes as transferred. An overlong line counts when
// every piece of it came (the assembler hands out its middle); otherwise no digest can be right.
void MimeParser::message_bytes(const Line &line) {
    if (line.kind == LineKind::OverlongHead) overlong_seen_ = 0;
    if (line.kind == LineKind::OverlongHead || line.kind == LineKind::OverlongMiddle) overlong_seen_ += line.text.size();
    if (line.kind == LineKind::OverlongTail && !line.overlong_complete(overlong_seen_)) {
        message_hash_.spoil();
        if (state_ == State::LeafBody) part_hash_.spoil();
    }
    if (line.in_place && line.kind == LineKind::Complete) {  // its wire bytes: extend the run, or start one
        const size_t n = line.text.size() + line.eol_size();
        if (run_ != nullptr && line.text.data() == run_ + run_len_) {
            run_len_ += n;
            return;
        }
        flush_message_bytes();
        run_ = line.text.data();
        run_len_ = n;
        return;
    }
    flush_message_bytes();
    add_message_bytes(line.text.data(), line.text.size());
    static constexpr char kCrLf[] = "\r\n";  // a bare LF line ends with the last byte of it
    add_message_bytes(kCrLf + (2 - line.eol_size()), line.eol_size());
}

void MimeParser::flush_message_bytes() {
    if (run_len_ == 0) return;
    add_message_bytes(run_, run_len_);
    run_ = nullptr;
    run_len_ = 0;
}

void MimeParser::add_message_bytes(const char *p, size_t n) {
    message_hash_.update(p, n);
    if (message_store_) sink_.on_file_data(message_store_, reinterpret_cast<const uint8_t *>(p), n);
}

void MimeParser::on_line(const Line &line) {
    if (msg_ == nullptr) return;
    msg_->size += line.wire_size();
    message_bytes(line);
    if (line.kind == LineKind::OverlongMiddle) {  // more of a long line: only a leaf's content uses it
        if (state_ == State::LeafBody) leaf_piece(line.text);
        return;
    }
    if (line.kind == LineKind::OverlongTail) {
        if (state_ == State::LeafBody) {
            part_size_ += line.wire_size();
            if (line.overlong_complete(overlong_seen_) && plain_leaf() && line.end != LineEnd::None)
                take_decoded(reinterpret_cast<const uint8_t *>("\n"), 1);
        } else if (state_ == State::Headers) {
            entity_.header_bytes += line.wire_size();
        }
        return;
    }
    const std::string_view text = line.text;
    if (level_count_ > 0 && text.size() >= 2 && text[0] == '-' && text[1] == '-' && boundary_line(text)) return;
    switch (state_) {
    case State::Headers: header_line(line); break;
    case State::LeafBody: leaf_line(line); break;
    case State::ContainerBody: break;  // preamble or epilogue: not content
    }
}

size_t MimeParser::count_line_run(ByteSpan &in, uint32_t max_line) {
    const size_t limit = max_line < kRfcMaxLine ? max_line : kRfcMaxLine;
    const auto *start = reinterpret_cast<const char *>(in.data);
    const TransferEncoding encoding = entity_.info.encoding;
    size_t lines = 0;
    LfScanner line_ends(in.data, in.data + in.size);
    while (!in.empty() && in.data[0] != '.' && in.data[0] != '-') {
        const uint8_t *lf = line_ends.next(in.data, in.data + (in.size < limit + 2 ? in.size : limit + 2));
        if (lf == nullptr || lf == in.data || lf[-1] != '\r') break;  // longer, unfinished, or a bare LF
        const std::string_view text(reinterpret_cast<const char *>(in.data), static_cast<size_t>(lf - in.data) - 1);
        if (encoding == TransferEncoding::Base64) count_base64(text);
        else if (encoding == TransferEncoding::QuotedPrintable) count_quoted_printable(text, true);
        else decoded_bytes_ += text.size() + 1;  // the line and its break, as "\n"
        in.advance(text.size() + 2);
        ++lines;
    }
    if (lines == 0) return 0;
    // What on_line does for each of these lines, for all of them at once.
    const auto wire = static_cast<size_t>(reinterpret_cast<const char *>(in.data) - start);
    msg_->size += wire;
    part_size_ += wire;
    if (run_ != nullptr && start == run_ + run_len_) {  // the message's bytes, as message_bytes runs them
        run_len_ += wire;
    } else {
        flush_message_bytes();
        run_ = start;
        run_len_ = wire;
    }
    return lines;
}

bool MimeParser::boundary_line(std::string_view text) {
    for (int k = level_count_ - 1; k >= 0; --k) {
        const Level &level = levels_[k];
        const std::string_view b(level.boundary, level.boundary_len);
        if (text.size() < 2 + b.size() || text.substr(2, b.size()) != b) continue;
        std::string_view rest = text.substr(2 + b.size());
        const bool close = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
        if (close) rest.remove_prefix(2);
        if (!only_blanks(rest)) continue;

        // The entity in progress ends here.
        if (state_ == State::Headers) {
            flush_header();
            end_of_headers();
        }
        if (state_ == State::LeafBody) finish_leaf();
        if (level_count_ > k + 1) anomaly(MimeAnomaly::MissingCloseBoundary);
        level_count_ = static_cast<uint8_t>(k + 1);
        if (close) {
            level_count_ = static_cast<uint8_t>(k);
            state_ = State::ContainerBody;  // the epilogue
            return true;
        }
        if (++parts_seen_ == limits_.parts_per_message + 1) anomaly(MimeAnomaly::TooManyParts);
        start_entity(level.part_depth, false);
        return true;
    }
    return false;
}

void MimeParser::header_line(const Line &line) {
    std::string_view text = line.text;
    if (line.kind == LineKind::OverlongHead) {
        anomaly(MimeAnomaly::HeaderTooLong);
        ++stats_.header_fields_truncated;
    }
    if (text.empty() && line.kind != LineKind::OverlongHead) {
        flush_header();
        if (entity_.top_level) msg_->header_bytes = entity_.header_bytes + line.wire_size();
        end_of_headers();
        return;
    }
    entity_.header_bytes += line.wire_size();
    if (ascii::is_wsp(text[0])) {  // folded continuation of the open field
        if (!header_open_) {
            anomaly(MimeAnomaly::InvalidHeaderLine);
            return;
        }
        const size_t room = limits_.header_field - header_len_;
        if (text.size() > room && !header_truncated_) {
            header_truncated_ = true;
            anomaly(MimeAnomaly::HeaderTooLong);
            ++stats_.header_fields_truncated;
        }
        const size_t n = text.size() < room ? text.size() : room;
        if (n) std::memcpy(header_ + header_len_, text.data(), n);
        header_len_ += n;
        return;
    }
    flush_header();
    const size_t colon = text.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view{} : text.substr(0, colon);
    while (!name.empty() && ascii::is_wsp(name.back())) name.remove_suffix(1);  // obsolete "Name :"
    if (!valid_header_name(name)) {
        // Most likely the blank line before the body is missing: read this line as body.
        anomaly(MimeAnomaly::InvalidHeaderLine);
        if (entity_.top_level) msg_->header_bytes = entity_.header_bytes - line.wire_size();
        end_of_headers();
        if (state_ == State::LeafBody) leaf_line(line);
        return;
    }
    const std::string_view value = text.substr(colon + 1);
    header_name_len_ = name.size() < limits_.header_field ? name.size() : limits_.header_field;
    if (header_name_len_) std::memcpy(header_, name.data(), header_name_len_);
    const size_t room = limits_.header_field - header_name_len_;
    const size_t n = value.size() < room ? value.size() : room;
    if (n) std::memcpy(header_ + header_name_len_, value.data(), n);
    header_len_ = header_name_len_ + n;
    header_truncated_ = n < value.size();
    if (header_truncated_) {
        anomaly(MimeAnomaly::HeaderTooLong);
        ++stats_.header_fields_truncated;
    }
    header_open_ = true;
}

void MimeParser::flush_header() {
    if (!header_open_) return;
    header_open_ = false;
    const std::string_view name(header_, header_name_len_);
    const std::string_view value = ascii::trim(std::string_view(header_ + header_name_len_, header_len_ - header_name_len_));
    process_header(name, value);
    header_len_ = 0;
}

void MimeParser::process_header(std::string_view name, std::string_view value) {
    ++entity_.header_count;
    ++stats_.headers;
    if (entity_.top_level) ++msg_->header_count;
    if (entity_.header_count == limits_.headers_per_message + 1) anomaly(MimeAnomaly::TooManyHeaders);
    if (entity_.header_bytes > limits_.header_bytes) anomaly(MimeAnomaly::HeaderSectionTooLong);
    const bool keep = entity_.header_count <= limits_.headers_per_message && entity_.header_bytes <= limits_.header_bytes;

    // Structural fields are always read: the MIME tree depends on them.
    if (ascii::iequals(name, "Content-Type")) {
        parse_content_type(value);
    } else if (ascii::iequals(name, "Content-Transfer-Encoding")) {
        entity_.info.encoding = parse_transfer_encoding(value);
        if (entity_.info.encoding == TransferEncoding::Unknown) anomaly(MimeAnomaly::UnknownTransferEncoding);
    } else if (ascii::iequals(name, "Content-Disposition")) {
        parse_content_disposition(value);
    }
    if (!keep) {
        ++stats_.headers_dropped;
        return;
    }
    sink_.on_header(name, value);
    if (entity_.top_level) process_top_level_header(name, value);
}

void MimeParser::process_top_level_header(std::string_view name, std::string_view value) {
    if (const uint8_t bit = singleton_bit(name); bit != 0) {
        if (entity_.singletons_seen & bit) anomaly(MimeAnomaly::DuplicateHeader);
        entity_.singletons_seen = static_cast<uint8_t>(entity_.singletons_seen | bit);
    }
    const uint64_t truncations = arena_.truncations();
    auto decode_report_store = [&](std::string_view &slot, Field field, bool report) {
        Scratch scratch;
        scratch.open();
        if (!append_decoded_words(value, scratch)) anomaly(MimeAnomaly::InvalidEncodedWord);
        const std::string_view decoded = scratch.close();
        if (report) sink_.on_field(field, decoded);
        if (slot.empty()) slot = arena_.store(decoded);
    };
    auto store_raw = [&](std::string_view &slot, Field field, bool report) {
        if (report) sink_.on_field(field, value);
        if (slot.empty()) slot = arena_.store(value);
    };

    if (ascii::iequals(name, "From")) {
        decode_report_store(msg_->from, Field::EmailFrom, true);
    } else if (ascii::iequals(name, "To")) {
        store_address_list(value, msg_->to, Field::EmailTo);
    } else if (ascii::iequals(name, "Cc")) {
        store_address_list(value, msg_->cc, Field::EmailCc);
    } else if (ascii::iequals(name, "Subject")) {
        decode_report_store(msg_->subject, Field::EmailSubject, true);
    } else if (ascii::iequals(name, "Date")) {
        store_raw(msg_->date, Field::Count, false);
    } else if (ascii::iequals(name, "Message-ID")) {
        store_raw(msg_->message_id, Field::EmailMessageId, true);
    } else if (ascii::iequals(name, "Reply-To")) {
        decode_report_store(msg_->reply_to, Field::Count, false);
    } else if (ascii::iequals(name, "Return-Path")) {
        store_raw(msg_->return_path, Field::Count, false);
    } else if (ascii::iequals(name, "X-Mailer")) {
        store_raw(msg_->x_mailer, Field::EmailXMailer, true);
    } else if (ascii::iequals(name, "User-Agent")) {
        store_raw(msg_->user_agent, Field::EmailUserAgent, true);
    } else if (ascii::iequals(name, "Received")) {
        if (msg_->received.kept < msg_->received.kCapacity) msg_->received.push(arena_.store(value));
        else msg_->received.push({});
    }
    if (ascii::istarts_with(name, "X-")) ++msg_->x_header_count;
    if (arena_.truncations() != truncations) {
        msg_->truncated = true;
        ++stats_.strings_truncated;
    }
}

void MimeParser::store_address_list(std::string_view value,
                                    BoundedList<std::string_view, EmailMessage::kMaxAddresses> &list, Field field) {
    for_each_address(value, [&](std::string_view address) {
        Scratch scratch;
        scratch.open();
        if (!append_decoded_words(address, scratch)) anomaly(MimeAnomaly::InvalidEncodedWord);
        const std::string_view decoded = scratch.close();
        sink_.on_field(field, decoded);
        if (list.kept < list.kCapacity) list.push(arena_.store(decoded));
        else list.push({});
    });
}

namespace {

// Joins the segments of a (possibly RFC 2231-split) parameter, decoded, into the scratch arena.
// Segments are taken in the order they appear; senders write them in order.
std::string_view collect_param(std::string_view value, std::string_view base, StringArena &out, bool &found) {
    out.open();
    found = false;
    HeaderParamIterator it(value);
    HeaderParam p;
    bool first_extended = true;
    while (it.next(p)) {
        unsigned segment = 0;
        bool extended = false;
        if (!match_param_name(p.name, base, segment, extended)) continue;
        found = true;
        if (extended) {
            append_rfc2231_value(p.value, first_extended && segment == 0, out);
            first_extended = false;
        } else if (p.quoted) {
            // Drop quoted-pair backslashes, then decode encoded words (common, though not RFC).
            FixedStringArena<1024> unquoted;
            unquoted.open();
            for (size_t i = 0; i < p.value.size(); ++i) {
                if (p.value[i] == '\\' && i + 1 < p.value.size()) ++i;
                unquoted.append(p.value[i]);
            }
            append_decoded_words(unquoted.close(), out);
        } else {
            append_decoded_words(p.value, out);
        }
    }
    return out.close();
}

std::string_view store_lower(std::string_view s, StringArena &arena) {
    arena.open();
    for (char c : s) arena.append(ascii::to_lower(c));
    return arena.close();
}

}  // namespace

void MimeParser::parse_content_type(std::string_view value) {
    const std::string_view type = header_token(value);
    entity_.info.content_type = store_lower(type, arena_);
    entity_.multipart = ascii::istarts_with(type, "multipart/");
    entity_.embedded_message = ascii::iequals(type, "message/rfc822") || ascii::iequals(type, "message/global");
    HeaderParamIterator it(value);
    HeaderParam p;
    while (it.next(p)) {
        if (ascii::iequals(p.name, "boundary")) {
            entity_.has_boundary_param = true;
            if (p.value.empty() || p.value.size() > 70) anomaly(MimeAnomaly::InvalidBoundary);
            const size_t n = p.value.size() < sizeof entity_.boundary ? p.value.size() : sizeof entity_.boundary;
            if (n) std::memcpy(entity_.boundary, p.value.data(), n);
            entity_.boundary_len = static_cast<uint8_t>(n);
        } else if (ascii::iequals(p.name, "charset")) {
            entity_.info.charset = store_lower(p.value, arena_);
        }
    }
    Scratch scratch;
    bool found = false;
    const std::string_view name = collect_param(value, "name", scratch, found);
    if (found) entity_.type_name = arena_.store(name);
}

void MimeParser::parse_content_disposition(std::string_view value) {
    entity_.info.disposition = store_lower(header_token(value), arena_);
    Scratch scratch;
    bool found = false;
    const std::string_view name = collect_param(value, "filename", scratch, found);
    if (found) entity_.disposition_filename = arena_.store(name);
}

void MimeParser::end_of_headers() {
    Entity &e = entity_;
    e.info.filename = !e.disposition_filename.empty() ? e.disposition_filename : e.type_name;
    if (e.multipart) {
        if (e.top_level) msg_->multipart = true;
        if (!e.has_boundary_param || e.boundary_len == 0) {
            anomaly(MimeAnomaly::MissingBoundary);
            msg_->boundary_missing = true;
            start_leaf();
            return;
        }
        if (level_count_ >= limits_.mime_depth || depth_ + 1u > limits_.mime_depth) {
            anomaly(MimeAnomaly::DepthExceeded);
            ++stats_.depth_exceeded;
            start_leaf();
            return;
        }
        Level &level = levels_[level_count_++];
        std::memcpy(level.boundary, e.boundary, e.boundary_len);
        level.boundary_len = e.boundary_len;
        level.part_depth = static_cast<uint8_t>(depth_ + 1);
        state_ = State::ContainerBody;  // the preamble
        return;
    }
    if (e.embedded_message && depth_ + 1u <= limits_.mime_depth) {
        // A forwarded message: its own header section follows. Keep it as a part when named.
        if (!e.info.filename.empty()) {
            if (msg_->parts.push(e.info) == nullptr) ++stats_.parts_dropped;
            sink_.on_field(Field::EmailAttachmentFilename, e.info.filename);
            sink_.on_field(Field::EmailAttachmentContentType, e.info.content_type);
        }
        start_entity(static_cast<uint8_t>(depth_ + 1), false);
        return;
    }
    if (e.embedded_message) {
        anomaly(MimeAnomaly::DepthExceeded);
        ++stats_.depth_exceeded;
    }
    start_leaf();
}

void MimeParser::start_leaf() {
    state_ = State::LeafBody;
    ++stats_.parts;
    part_size_ = 0;
    base64_.reset();
    qp_invalid_ = false;
    long_encoded_line_ = false;
    part_gap_ = false;
    prefix_len_ = 0;
    tail_.reset();
    decoded_bytes_ = 0;
    if (entity_.info.is_attachment()) part_hash_.begin();
    else part_hash_.spoil();
    part_ = nullptr;
    if (parts_seen_ <= limits_.parts_per_message) part_ = msg_->parts.push(entity_.info);
    if (part_ == nullptr) ++stats_.parts_dropped;
    const MimePartInfo &info = entity_.info;
    if (!info.filename.empty()) sink_.on_field(Field::EmailAttachmentFilename, info.filename);
    if (info.is_attachment())
        sink_.on_field(Field::EmailAttachmentContentType, info.content_type.empty() ? "text/plain" : info.content_type);
    // Offered for extraction after its file.name was matched, so a rule on it can select it.
    part_store_ = info.is_attachment() && limits_.file_store & kStoreAttachments
                      ? sink_.on_file_begin(FileBegin{false, info.filename, 0, false})
                      : 0;
}

void MimeParser::leaf_line(const Line &line) {
    part_size_ += line.wire_size();
    if (!plain_leaf() && (line.overlong() || line.length > kRfcMaxLine)) long_encoded_line_ = true;
    switch (entity_.info.encoding) {
    case TransferEncoding::Base64: leaf_piece(line.text); break;
    case TransferEncoding::QuotedPrintable: {
        if (line.kind == LineKind::OverlongHead) part_hash_.spoil();  // soft breaks and escapes span pieces
        if (only_counting()) {
            count_quoted_printable(line.text, line.end != LineEnd::None);
            break;
        }
        uint8_t buf[2 * MimeStreamParser::kMaxLine + 1];
        size_t n = 0;
        bool hard_break = true;
        if (!decode_quoted_printable_line(line.text, buf, sizeof buf - 1, n, hard_break)) qp_invalid_ = true;
        if (hard_break && line.end != LineEnd::None) buf[n++] = '\n';
        take_decoded(buf, n);
        break;
    }
    default: {
        leaf_piece(line.text);
        if (line.end != LineEnd::None) take_decoded(reinterpret_cast<const uint8_t *>("\n"), 1);
        break;
    }
    }
}

// Content of a leaf that decodes piece by piece: a whole line's text, or a piece of a long one.
void MimeParser::leaf_piece(std::string_view text) {
    if (entity_.info.encoding == TransferEncoding::QuotedPrintable) return;  // lines only (leaf_line)
    if (entity_.info.encoding != TransferEncoding::Base64) {
        take_decoded(reinterpret_cast<const uint8_t *>(text.data()), text.size());
        return;
    }
    if (only_counting()) {
        count_base64(text);
        return;
    }
    // Decoded a piece at a time on the stack: 1024 characters give at most 768 bytes; the slack
    // lets the bulk decoder store whole vectors to the end.
    uint8_t buf[768 + 32];
    for (size_t at = 0; at < text.size(); at += 1024) {
        size_t n = 0;
        base64_.feed(text.substr(at, 1024), buf, sizeof buf, n);
        take_decoded(buf, n);
    }
}

void MimeParser::count_base64(std::string_view text) {
    const uint64_t before = base64_.decoded();  // it counts what it would have written
    size_t none = 0;
    base64_.feed(text, nullptr, 0, none);
    decoded_bytes_ += base64_.decoded() - before;
}

void MimeParser::count_quoted_printable(std::string_view line, bool line_break) {
    size_t n = 0;
    bool hard_break = true;
    if (!quoted_printable_line_size(line, n, hard_break)) qp_invalid_ = true;
    decoded_bytes_ += n + (hard_break && line_break);
}

void MimeParser::keep_decoded(const uint8_t *p, size_t n) {
    const size_t cap = limits_.body_prefix;
    const size_t k = prefix_len_ >= cap ? 0 : n < cap - prefix_len_ ? n : cap - prefix_len_;
    if (k) std::memcpy(prefix_ + prefix_len_, p, k);
    prefix_len_ += k;
    tail_.feed(p, n);
    part_hash_.update(p, n);
    if (part_store_) sink_.on_file_data(part_store_, p, n);
    decoded_bytes_ += n;
}

void MimeParser::finish_leaf() {
    if (entity_.info.encoding == TransferEncoding::Base64) {
        uint8_t buf[4];
        size_t n = 0;
        base64_.finish(buf, sizeof buf, n);
        take_decoded(buf, n);
        if (base64_.invalid() && !part_gap_) anomaly(MimeAnomaly::InvalidBase64);
    }
    if (qp_invalid_) anomaly(MimeAnomaly::InvalidQuotedPrintable);
    if (long_encoded_line_) anomaly(MimeAnomaly::EncodedLineTooLong);
    if (part_ != nullptr) part_->size = part_size_;
    if (prefix_len_ > 0)
        sink_.on_field(Field::EmailBodyPrefix, {reinterpret_cast<const char *>(prefix_), prefix_len_});
    MimePartEnd end;
    end.content_type = entity_.info.content_type;
    end.filename = entity_.info.filename;
    end.attachment = entity_.info.is_attachment();
    end.head = {reinterpret_cast<const char *>(prefix_), prefix_len_ < MimePartEnd::kHead ? prefix_len_ : MimePartEnd::kHead};
    end.prefix = {reinterpret_cast<const char *>(prefix_), prefix_len_};
    end.decoded_bytes = decoded_bytes_;
    end.end_marker = tail_.marker_seen();
    end.after_end_marker = tail_.after_marker();
    end.gap = part_gap_;
    end.long_encoded_line = long_encoded_line_;
    sink_.on_part_end(end);
    if (end.attachment) {
        FileEvent file;
        file.filename = entity_.info.filename;
        file.content_type = entity_.info.content_type;
        file.head = {reinterpret_cast<const char *>(prefix_), prefix_len_};
        file.gap = part_gap_;
        file.size = decoded_bytes_;
        report_file(file, part_hash_, part_store_);
    }
    part_store_ = 0;
    part_ = nullptr;
    state_ = State::ContainerBody;
}

// The file.magic and file.sha256 fields, then the file itself (which closes its extraction handle).
void MimeParser::report_file(FileEvent &file, FileHasher &hasher, uint32_t &store_handle) {
    file.digests = hasher.finish();
    file.store_handle = store_handle;
    file.tx_id = tx_id_;
    store_handle = 0;
    file.message_id = msg_->message_id, file.subject = msg_->subject, file.from = msg_->from;
    if (!file.message) file.magic = magic_description(sniff_magic(file.head));
    if (!file.magic.empty()) sink_.on_field(Field::FileMagic, file.magic);
    if (file.digests.present & kSha256) {
        char hex[2 * sizeof file.digests.sha256];
        digest_hex(file.digests.sha256, sizeof file.digests.sha256, hex);
        sink_.on_field(Field::FileSha256, {hex, sizeof hex});
    }
    sink_.on_file(file);
}

void MimeParser::on_gap() {
    flush_message_bytes();
    if (msg_ == nullptr) return;
    msg_->gap = true;
    message_hash_.spoil();
    part_hash_.spoil();
    header_open_ = false;  // a field cut by the gap is not reported
    header_len_ = 0;
    if (state_ == State::LeafBody) {
        base64_.reset();  // the quantum alignment is lost
        part_gap_ = true;
    }
}

void MimeParser::end() {
    flush_message_bytes();
    if (msg_ == nullptr) return;
    if (state_ == State::Headers) {
        flush_header();
        if (entity_.top_level) msg_->header_bytes = entity_.header_bytes;
        end_of_headers();
    }
    if (state_ == State::LeafBody) finish_leaf();
    if (level_count_ > 0) anomaly(MimeAnomaly::MissingCloseBoundary);
    level_count_ = 0;
    msg_->complete = !msg_->gap;
    if (message_hash_.enabled()) {  // a record per message only when its digests are asked for
        FileEvent file;
        file.message = true;
        file.content_type = "message/rfc822";
        file.gap = msg_->gap;
        file.size = msg_->size;
        report_file(file, message_hash_, message_store_);
    }
    msg_ = nullptr;
}

void MimeStreamParser::feed(const uint8_t *data, size_t len) {
    ByteSpan in{data, len};
    Line line;
    while (lines_.next(in, line)) parser_.on_line(line);
    parser_.input_done();
}

void MimeStreamParser::on_gap() {
    lines_.on_gap();
    parser_.on_gap();
}

void MimeStreamParser::end() {
    Line line;
    while (lines_.flush(line)) parser_.on_line(line);
    parser_.end();
}

}  // namespace postern::proto
