// Test-side decoding for the mail generators, written independently of lib/synth/mail so the
// tests check the bytes against the RFCs, not the builder against itself: base64, quoted-printable,
// encoded words, header and MIME walking, file magic numbers, conversation streams.
#pragma once

#include <cctype>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "synth/conversation.hpp"
#include "synth/payload_generator.hpp"
#include "synth/rng.hpp"

namespace postern::synth::testing {

inline std::string b64decode(std::string_view s, bool *ok = nullptr) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    bool good = true;
    size_t pad = 0;
    for (char c : s) {
        if (c == '\r' || c == '\n') continue;
        if (c == '=') {
            ++pad;
            continue;
        }
        const int v = val(c);
        if (v < 0 || pad) {
            good = false;
            continue;
        }
        acc = acc << 6 | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    if (ok) *ok = good && pad <= 2;
    return out;
}

inline int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

inline std::string qp_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '=' && s.substr(i + 1, 2) == "\r\n") {
            i += 2;  // soft line break
        } else if (s[i] == '=' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Removes CRLF before white space (RFC 5322 unfolding).
inline std::string unfold(std::string_view v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v.substr(i, 2) == "\r\n") {
            ++i;
            continue;
        }
        out += v[i];
    }
    return out;
}

// RFC 2047: UTF-8 B and Q words; white space between adjacent encoded words is dropped.
inline std::string decode_words(std::string_view raw) {
    const std::string v = unfold(raw);
    std::string out, pending_space;
    size_t i = 0;
    bool last_was_word = false;
    while (i < v.size()) {
        if (v.compare(i, 10, "=?UTF-8?B?") == 0 || v.compare(i, 10, "=?UTF-8?Q?") == 0) {
            const char enc = v[i + 8];
            const size_t end = v.find("?=", i + 10);
            const std::string text = v.substr(i + 10, end - i - 10);
            if (!last_was_word) out += pending_space;
            pending_space.clear();
            if (enc == 'B') {
                out += b64decode(text);
            } else {
                std::string q;
                for (char c : text) q += c == '_' ? ' ' : c;
                out += qp_decode(q);
            }
            i = end + 2;
            last_was_word = true;
        } else if (v[i] == ' ' || v[i] == '\t') {
            pending_space += v[i++];
        } else {
            out += pending_space;
            pending_space.clear();
            out += v[i++];
            last_was_word = false;
        }
    }
    return out + pending_space;
}

struct Header {
    std::string name;   // as written
    std::string value;  // raw, folding kept, leading space removed
};

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Header fields of an entity and the offset of its body (after the blank line).
inline std::vector<Header> parse_headers(std::string_view entity, size_t &body_at) {
    std::vector<Header> hs;
    size_t pos = 0;
    body_at = entity.size();
    while (pos < entity.size()) {
        const size_t eol = entity.find("\r\n", pos);
        if (eol == std::string_view::npos) break;
        const std::string_view l = entity.substr(pos, eol - pos);
        pos = eol + 2;
        if (l.empty()) {
            body_at = pos;
            break;
        }
        if ((l[0] == ' ' || l[0] == '\t') && !hs.empty()) {
            hs.back().value += "\r\n";
            hs.back().value += l;
            continue;
        }
        const size_t colon = l.find(':');
        Header h;
        h.name = std::string(l.substr(0, colon));
        std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
        h.value = std::string(value);
        hs.push_back(std::move(h));
    }
    return hs;
}

inline const Header *find_header(const std::vector<Header> &hs, std::string_view name) {
    for (const auto &h : hs)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

inline std::string pct_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// A parameter of a structured header (boundary, filename, name); filename*=UTF-8''... decoded.
inline std::string header_param(std::string_view raw, std::string_view name) {
    const std::string v = unfold(raw);
    for (const bool extended : {false, true}) {
        const std::string key = std::string(name) + (extended ? "*=" : "=");
        size_t at = 0;
        while ((at = v.find(key, at)) != std::string::npos) {
            const bool starts = at > 0 && (v[at - 1] == ' ' || v[at - 1] == ';' || v[at - 1] == '\t');
            if (!starts) {
                ++at;
                continue;
            }
            size_t from = at + key.size();
            std::string value;
            if (from < v.size() && v[from] == '"') {
                value = v.substr(from + 1, v.find('"', from + 1) - from - 1);
            } else {
                value = v.substr(from, v.find(';', from) - from);
            }
            if (extended) {
                const size_t q = value.find("''");
                return pct_decode(q == std::string::npos ? value : value.substr(q + 2));
            }
            return value;
        }
    }
    return {};
}

struct Leaf {
    std::vector<Header> headers;
    std::string_view body;
};

// Calls `leaf` for every non-multipart entity; false if a multipart is malformed.
inline bool walk_mime(std::string_view entity, const std::function<void(const Leaf &)> &leaf) {
    size_t body_at = 0;
    Leaf l;
    l.headers = parse_headers(entity, body_at);
    l.body = entity.substr(body_at);
    const Header *ct = find_header(l.headers, "Content-Type");
    if (ct == nullptr || unfold(ct->value).rfind("multipart/", 0) != 0) {
        leaf(l);
        return true;
    }
    const std::string boundary = header_param(ct->value, "boundary");
    if (boundary.empty()) return false;
    const std::string delim = "\r\n--" + boundary;
    // The first delimiter may start the body (no preamble), so search with a leading CRLF.
    const std::string body = "\r\n" + std::string(l.body);
    size_t at = body.find(delim);
    if (at == std::string::npos) return false;
    for (;;) {
        size_t start = at + delim.size();
        if (body.compare(start, 2, "--") == 0) return true;  // close delimiter
        if (body.compare(start, 2, "\r\n") != 0) return false;
        start += 2;
        const size_t next = body.find(delim, start);
        if (next == std::string::npos) return false;
        // Parts are views into `entity`: shift by the two bytes added in front.
        const std::string_view part = l.body.substr(start - 2, next - start);
        if (!walk_mime(part, leaf)) return false;
        at = next;
    }
}

inline std::string decode_body(const Leaf &l) {
    const Header *cte = find_header(l.headers, "Content-Transfer-Encoding");
    const std::string e = cte ? cte->value : "7bit";
    if (iequals(e, "base64")) return b64decode(l.body);
    if (iequals(e, "quoted-printable")) return qp_decode(l.body);
    return std::string(l.body);
}

inline bool has_magic(std::string_view filename, std::string_view data) {
    const std::string_view ext = filename.substr(filename.rfind('.') + 1);
    auto starts = [&](std::string_view m) { return data.substr(0, m.size()) == m; };
    if (ext == "pdf") return starts("%PDF-");
    if (ext == "docx" || ext == "xlsx" || ext == "zip") return starts(std::string_view("PK\x03\x04", 4));
    if (ext == "png") return starts("\x89PNG\r\n\x1A\n");
    if (ext == "jpg") return starts("\xFF\xD8\xFF");
    return false;
}

// Every CR is followed by LF and every LF preceded by CR.
inline bool crlf_only(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    }
    return true;
}

inline std::string stream_of(const Conversation &c, Side side) {
    std::string s;
    for (const auto &e : c.exchanges)
        if (e.from == side) s.append(e.data.begin(), e.data.end());
    return s;
}

// Reads CRLF lines and counted byte runs from one side's stream.
class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    bool done() const { return pos_ >= s_.size(); }
    size_t pos() const { return pos_; }
    std::string_view rest() const { return s_.substr(pos_); }
    // The next line without its CRLF; false if no complete line is left.
    bool line(std::string_view &out) {
        const size_t eol = s_.find("\r\n", pos_);
        if (eol == std::string_view::npos) return false;
        out = s_.substr(pos_, eol - pos_);
        pos_ = eol + 2;
        return true;
    }
    bool bytes(size_t n, std::string_view &out) {
        if (s_.size() - pos_ < n) return false;
        out = s_.substr(pos_, n);
        pos_ += n;
        return true;
    }
    // Lines up to a line that is only "."; stuffed dots removed. False if there is no such line.
    bool dot_block(std::string &out, bool &stuffing_ok) {
        stuffing_ok = true;
        std::string_view l;
        while (line(l)) {
            if (l == ".") return true;
            if (!l.empty() && l[0] == '.') {
                if (l.size() < 2 || l[1] != '.') stuffing_ok = false;  // a lone leading dot
                l.remove_prefix(1);
            }
            out += l;
            out += "\r\n";
        }
        return false;
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

// Conversations from one generator for many flows, ports and budgets.
struct Sample {
    PayloadContext ctx;
    Conversation conv;
};
inline std::vector<Sample> sample(PayloadGenerator &g, size_t n, std::vector<uint16_t> ports, uint64_t min_bytes,
                                  uint64_t max_bytes, uint64_t seed = 7) {
    std::vector<Sample> out;
    for (size_t i = 0; i < n; ++i) {
        Sample s;
        Rng pick = Rng::derive(seed, i);
        s.ctx.flow_id = i;
        s.ctx.server_port = ports[pick.below(ports.size())];
        s.ctx.target_bytes = pick.log_between(min_bytes, max_bytes);
        s.ctx.start_us = 1'700'000'000'000'000 + i * 1'000'000;
        Rng rng = Rng::derive(seed + 1, i);
        g.generate(s.ctx, rng, s.conv);
        out.push_back(std::move(s));
    }
    return out;
}

// The bytes of TLS records until the end: false if a record header is malformed.
inline bool tls_records_only(std::string_view s) {
    size_t pos = 0;
    if (s.empty()) return false;
    while (pos < s.size()) {
        if (s.size() - pos < 5) return false;
        const auto type = static_cast<uint8_t>(s[pos]);
        if (type != 0x14 && type != 0x16 && type != 0x17) return false;
        if (s[pos + 1] != 0x03) return false;
        const size_t len = static_cast<uint8_t>(s[pos + 3]) * 256u + static_cast<uint8_t>(s[pos + 4]);
        pos += 5 + len;
    }
    return pos == s.size();
}

// The address inside a From value: "Name <a@b>" -> "a@b", "a@b" -> "a@b".
inline std::string addr_spec(std::string_view value) {
    const std::string v = unfold(value);
    const size_t lt = v.rfind('<');
    if (lt == std::string::npos) return v;
    return v.substr(lt + 1, v.find('>', lt) - lt - 1);
}

// Checks one message against RFC 5322/MIME basics and its ground-truth summary
// {"size","from","subject","message_id","attachments"}. `headers_only`: a TOP n 0 reply.
inline void check_message(std::string_view msg, const nlohmann::ordered_json &truth, bool headers_only = false) {
    SCOPED_TRACE(std::string(msg.substr(0, 400)));
    EXPECT_EQ(truth.at("size").get<size_t>(), msg.size());
    EXPECT_TRUE(crlf_only(msg));
    ASSERT_GE(msg.size(), 2u);
    EXPECT_EQ(msg.substr(msg.size() - 2), "\r\n");
    for (size_t pos = 0; pos < msg.size();) {
        const size_t eol = msg.find("\r\n", pos);
        EXPECT_LE(eol - pos, 998u) << "line too long";
        pos = eol + 2;
    }
    size_t body_at = 0;
    const auto hs = parse_headers(msg, body_at);
    for (const char *name : {"From", "Subject", "Date", "Message-ID", "MIME-Version"})
        EXPECT_NE(find_header(hs, name), nullptr) << name;
    EXPECT_TRUE(find_header(hs, "X-Mailer") != nullptr || find_header(hs, "User-Agent") != nullptr);
    for (const auto &h : hs) {
        // Header values are 7-bit: anything else is in encoded words.
        for (char c : h.value) {
            EXPECT_FALSE(static_cast<unsigned char>(c) >= 0x80) << h.name;
        }
    }
    if (const Header *from = find_header(hs, "From")) {
        EXPECT_EQ(addr_spec(from->value), truth.at("from"));
    }
    if (const Header *subj = find_header(hs, "Subject")) {
        EXPECT_EQ(decode_words(subj->value), truth.at("subject"));
    }
    if (const Header *mid = find_header(hs, "Message-ID")) {
        EXPECT_EQ(mid->value, truth.at("message_id"));
    }
    if (headers_only) {
        EXPECT_EQ(body_at, msg.size());
        EXPECT_TRUE(truth.at("attachments").empty());
        return;
    }
    std::vector<std::string> names;
    size_t text_parts = 0;
    const bool ok = walk_mime(msg, [&](const Leaf &leaf) {
        const Header *cd = find_header(leaf.headers, "Content-Disposition");
        if (cd != nullptr && unfold(cd->value).rfind("attachment", 0) == 0) {
            const std::string name = header_param(cd->value, "filename");
            names.push_back(name);
            bool b64_ok = false;
            const std::string data = b64decode(leaf.body, &b64_ok);
            EXPECT_TRUE(b64_ok) << name;
            EXPECT_TRUE(has_magic(name, data)) << name;
            for (size_t pos = 0; pos < leaf.body.size();) {  // MIME base64 lines: at most 76
                const size_t eol = std::min(leaf.body.find("\r\n", pos), leaf.body.size());
                EXPECT_LE(eol - pos, 76u);
                pos = eol + 2;
            }
        } else {
            ++text_parts;
            EXPECT_FALSE(decode_body(leaf).empty());
        }
    });
    EXPECT_TRUE(ok) << "MIME structure";
    EXPECT_GE(text_parts, 1u);
    EXPECT_EQ(nlohmann::ordered_json(names), truth.at("attachments"));
}

}  // namespace postern::synth::testing
