#include "synth/mail/message_builder.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "synth/mail/attachment.hpp"
#include "synth/mail/body_text.hpp"
#include "synth/mail/encoding.hpp"

namespace postern::synth::mail {

namespace {

constexpr std::array<int, 12> kZones = {0, 60, 120, -300, -240, -480, 540, 330, 480, 600, 180, -180};
constexpr size_t kFold = 78;

std::string_view domain_of(std::string_view address) {
    const size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view("example.com") : address.substr(at + 1);
}

std::string alnum(Rng &rng, size_t n, std::string_view alphabet) {
    std::string s(n, ' ');
    for (auto &c : s) c = alphabet[rng.below(alphabet.size())];
    return s;
}
constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdef";

// Mostly non-ASCII text (other scripts) reads shorter as B; accented Latin as Q.
char word_encoding(std::string_view text) {
    size_t high = 0;
    for (unsigned char c : text) high += c >= 0x80;
    return high * 3 > text.size() ? 'B' : 'Q';
}

// "Name <addr>", "\"Name\" <addr>", "=?UTF-8?B?...?= <addr>" or a bare address.
std::string format_mailbox(const Mailbox &m, Rng &rng, size_t col) {
    if (m.display.empty()) return rng.chance(0.3) ? "<" + m.address + ">" : m.address;
    std::string s;
    if (!is_ascii(m.display)) {
        s = encoded_words(m.display, word_encoding(m.display), col);
    } else if (rng.chance(0.5)) {
        s = "\"" + m.display + "\"";
    } else {
        s = m.display;
    }
    return s + " <" + m.address + ">";
}

// Comma-separated mailboxes, folded (CRLF SP) before an item that would pass 78 columns.
std::string address_list(const std::vector<Mailbox> &list, Rng &rng, size_t col) {
    std::string out;
    for (size_t i = 0; i < list.size(); ++i) {
        if (i > 0) {
            out += ',';
            ++col;
        }
        std::string item = format_mailbox(list[i], rng, col + 1);
        const size_t first_line = std::min(item.find("\r\n"), item.size());
        if (i > 0 && col + 1 + first_line > kFold) {
            out += "\r\n";
            col = 0;
        }
        out += ' ';
        out += item;
        const size_t last_break = item.rfind("\r\n");
        col = last_break == std::string::npos ? col + 1 + item.size() : item.size() - last_break - 2;
    }
    return out.empty() ? out : out.substr(1);  // the header writer adds the space after ':'
}

void header(std::string &out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

// One draw per statement: the order of operands of '+' is unspecified, and the same seed must give
// the same bytes with every compiler.
std::string make_message_id(Rng &rng, std::string_view domain, uint64_t date_s) {
    std::string id = "<";
    switch (rng.below(3)) {
    case 0:
        id += alnum(rng, 16, kHexDigits);
        id += "." + std::to_string(date_s) + "@" + std::string(domain);
        break;
    case 1:
        id += "CA+";
        id += alnum(rng, 40, kAlnum);
        id += "@mail.example.com";
        break;
    default:  // Exchange Online style
        id += alnum(rng, 4, kUpperDigits);
        id += "PR" + std::to_string(rng.between(10, 99)) + "MB";
        id += alnum(rng, 12, kUpperDigits);
        id += "@";
        id += alnum(rng, 12, kUpperDigits);
        id += "." + std::string(domain);
        break;
    }
    return id + ">";
}

std::string make_boundary(Rng &rng) {
    std::string b;
    switch (rng.below(4)) {
    case 0:  // JavaMail
        b = "----=_Part_" + std::to_string(rng.between(1, 99999));
        b += "_" + std::to_string(rng.between(1, 999999999));
        b += "." + std::to_string(rng.between(1600000000000, 1800000000000));
        break;
    case 1: b = "000000000000" + alnum(rng, 16, kHexDigits); break;  // Gmail
    case 2: b = "------------" + alnum(rng, 24, kAlnum); break;      // Thunderbird
    default:                                                          // Apple Mail
        b = "Apple-Mail=_";
        for (size_t n : {8, 4, 4, 12}) b += alnum(rng, n, kUpperDigits) + (n == 12 ? "" : "-");
        break;
    }
    return b;
}

std::string queue_id(Rng &rng, int software) {
    if (software != 1) return "4" + alnum(rng, 14, kAlnum);  // Postfix
    std::string id = alnum(rng, 6, kAlnum);                  // Exim
    id += "-" + alnum(rng, 6, kAlnum);
    id += "-" + alnum(rng, 2, kAlnum);
    return id;
}

// Hops oldest first: client -> sender's submission server -> recipient's MX -> mail store.
void append_received(std::string &out, const MessageSpec &spec, Rng &rng) {
    const std::string_view from_domain = domain_of(spec.from.address);
    const std::string_view to_domain = spec.to.empty() ? from_domain : domain_of(spec.to.front().address);
    const std::string rcpt = spec.to.empty() ? spec.from.address : spec.to.front().address;
    struct Hop {
        std::string from, ip, by, with;
    };
    const std::string submission = server_host(rng, "smtp", from_domain);
    const std::string mx = server_host(rng, "mx", to_domain);
    const std::string helo = client_helo(rng);
    // An address-literal HELO is the client's own address; a named client may be on IPv6.
    const std::string client_ip = helo.front() == '[' ? helo.substr(1, helo.size() - 2) : doc_ip(rng, rng.chance(0.2));
    const std::array<Hop, 3> chain = {{
        {helo, client_ip, submission, "ESMTPSA"},
        {submission, doc_ip(rng, false), mx, "ESMTPS"},
        {mx, doc_ip(rng, false), server_host(rng, "mail", to_domain), "LMTPS"},
    }};
    const int hops = std::clamp(spec.received_hops, 0, 3);
    std::vector<std::string> lines;
    uint64_t t = spec.date_s;
    for (int h = 0; h < hops; ++h) {
        const Hop &hop = chain[static_cast<size_t>(h)];
        t += rng.between(0, 4);
        const int software = static_cast<int>(rng.below(3));
        static constexpr const char *kSoftware[] = {"Postfix", "Exim 4.96", "Microsoft SMTP Server id 15.2.1258.12"};
        const bool v6 = hop.ip.find(':') != std::string::npos;
        const std::string qid = queue_id(rng, software);
        const bool utc_comment = rng.chance(0.5);
        std::string r = "Received: from " + hop.from + " (" + (hop.from.front() == '[' ? "unknown" : hop.from) +
                        " [" + (v6 ? "IPv6:" : "") + hop.ip + "])\r\n\tby " + hop.by + " (" + kSoftware[software] +
                        ") with " + hop.with + " id " + qid + "\r\n\tfor <" + rcpt + ">; " + rfc5322_date(t, 0) +
                        (utc_comment ? " (UTC)" : "") + "\r\n";
        lines.push_back(std::move(r));
    }
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) out += *it;  // newest first
}

void append_dkim(std::string &out, std::string_view domain, uint64_t t, Rng &rng) {
    uint8_t bh[32], sig[256];
    rng.fill(bh, sizeof bh);
    rng.fill(sig, sizeof sig);
    std::string b;
    append_base64(b, sig, sizeof sig, 70);
    std::string folded;
    for (char c : b) {
        if (c == '\r') continue;
        if (c == '\n') folded += "\r\n\t ";
        else folded += c;
    }
    out += "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + std::string(domain) +
           ";\r\n\ts=selector" + std::to_string(rng.between(1, 2)) + "; t=" + std::to_string(t) +
           ";\r\n\th=from:to:subject:date:message-id:mime-version:content-type;\r\n\tbh=";
    append_base64(out, bh, sizeof bh);
    out += ";\r\n\tb=" + folded + "\r\n";
}

// Text part: charset and transfer encoding follow the content (7bit only for ASCII).
void append_text_part(std::string &out, std::string_view subtype, std::string_view text, Rng &rng) {
    const bool ascii = is_ascii(text);
    const uint64_t pick = rng.below(10);
    const std::string_view cte = ascii ? (pick < 8 ? "7bit" : "quoted-printable") : (pick < 7 ? "quoted-printable" : "base64");
    out += "Content-Type: text/";
    out += subtype;
    out += ascii && pick < 4 ? "; charset=us-ascii" : "; charset=\"UTF-8\"";
    if (subtype == "plain" && ascii && pick % 2) out += "; format=flowed";
    out += "\r\nContent-Transfer-Encoding: ";
    out += cte;
    out += "\r\n\r\n";
    if (cte == "7bit") {
        out += text;
    } else if (cte == "quoted-printable") {
        append_quoted_printable(out, text);
    } else {
        append_base64(out, reinterpret_cast<const uint8_t *>(text.data()), text.size(), 76);
        out += "\r\n";
    }
}

std::string percent_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
            c == '_') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

void append_attachment_part(std::string &out, const Attachment &a) {
    out += "Content-Type: ";
    out += a.content_type;
    if (is_ascii(a.filename)) {
        out += ";\r\n name=\"" + a.filename + "\"\r\nContent-Disposition: attachment;\r\n filename=\"" + a.filename + "\"";
    } else {  // Outlook's encoded-word name= beside the RFC 2231 filename*=
        out += ";\r\n name=\"" + encoded_words(a.filename, 'B', 7) + "\"\r\nContent-Disposition: attachment;\r\n filename*=UTF-8''" +
               percent_encode(a.filename);
    }
    out += "\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    append_base64(out, a.data.data(), a.data.size(), 76);
    out += "\r\n";
}

std::string signature_of(const Mailbox &from) {
    if (from.display.empty()) return from.address;
    return from.display + "\r\n" + from.address;
}

// Body (after the top-level headers up to Content-Type): adds Content-Type etc. and the parts.
void append_body(std::string &out, const MessageSpec &spec, size_t budget, Rng &rng, Message &m) {
    const bool foreign = rng.chance(0.12);
    const std::string sig = signature_of(spec.from);
    const uint64_t shape = rng.below(100);
    const bool mixed = spec.attachments && budget >= 2500 && shape < 40;
    const bool alternative = !mixed ? shape >= 65 : rng.chance(0.4);
    const std::string outer = make_boundary(rng);

    size_t text_budget = budget;
    std::vector<uint64_t> attachment_sizes;
    if (mixed) {
        const size_t share = budget * rng.between(60, 95) / 100;
        text_budget = budget > share + 600 ? std::min<size_t>(budget - share - 600, rng.between(200, 4000)) : 200;
        uint64_t n = rng.chance(0.3) ? 2 : 1;
        if (rng.chance(0.1)) ++n;
        // Encoded lines carry 57 bytes in 78: size the files so the base64 fills the share.
        for (uint64_t i = 0; i < n; ++i) attachment_sizes.push_back(std::max<uint64_t>(200, share / n * 57 / 78));
    }
    if (alternative) text_budget = text_budget > 500 ? (text_budget - 400) * 10 / 23 : 100;

    const std::string text = body_text(rng, text_budget, sig, foreign);
    auto append_alternative = [&](const std::string &boundary) {
        out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
        out += "--" + boundary + "\r\n";
        append_text_part(out, "plain", text, rng);
        out += "--" + boundary + "\r\n";
        append_text_part(out, "html", body_html(text), rng);
        out += "--" + boundary + "--\r\n";
    };

    if (!mixed && !alternative) {
        append_text_part(out, "plain", text, rng);
        return;
    }
    if (!mixed) {
        append_alternative(outer);
        return;
    }
    out += "Content-Type: multipart/mixed;\r\n boundary=\"" + outer + "\"\r\n\r\n";
    if (rng.chance(0.5)) out += "This is a multi-part message in MIME format.\r\n";
    out += "--" + outer + "\r\n";
    if (alternative) {
        append_alternative(make_boundary(rng) + "_alt");
    } else {
        append_text_part(out, "plain", text, rng);
    }
    for (uint64_t size : attachment_sizes) {
        const Attachment a = make_attachment(rng, size);
        out += "--" + outer + "\r\n";
        append_attachment_part(out, a);
        m.attachments.push_back(a.filename);
    }
    out += "--" + outer + "--\r\n";
}

}  // namespace

Message build_message(const MessageSpec &spec, Rng &rng) {
    Message m;
    std::string &d = m.data;
    d.reserve(spec.size + 1024);
    const std::string_view from_domain = domain_of(spec.from.address);
    const int zone = kZones[rng.below(kZones.size())];
    m.from = spec.from.address;
    m.message_id = make_message_id(rng, from_domain, spec.date_s);

    std::string subj(subject(rng));
    const bool reply = rng.chance(0.15) && subj.rfind("Re:", 0) != 0 && subj.rfind("Fwd:", 0) != 0;
    if (reply) subj = "Re: " + subj;
    m.subject = subj;

    if (spec.return_path) header(d, "Return-Path", "<" + spec.from.address + ">");
    append_received(d, spec, rng);
    if (spec.received_hops >= 2 && rng.chance(0.5)) append_dkim(d, from_domain, spec.date_s, rng);

    const MailProgram &program = mail_program(rng);
    header(d, "From", format_mailbox(spec.from, rng, 6));
    if (!spec.to.empty()) header(d, "To", address_list(spec.to, rng, 4));
    if (!spec.cc.empty()) header(d, "Cc", address_list(spec.cc, rng, 4));
    header(d, "Subject", is_ascii(subj) ? subj : encoded_words(subj, word_encoding(subj), 9));
    const std::string date = rfc5322_date(spec.date_s, zone);
    const std::string msgid_line = m.message_id;
    if (rng.chance(0.5)) {
        header(d, "Date", date);
        header(d, "Message-ID", msgid_line);
    } else {
        header(d, "Message-ID", msgid_line);
        header(d, "Date", date);
    }
    if (reply) {
        const std::string parent = make_message_id(rng, domain_of(spec.to.empty() ? m.from : spec.to.front().address),
                                                   spec.date_s - rng.between(600, 86400));
        header(d, "In-Reply-To", parent);
        header(d, "References", parent);
    }
    header(d, program.header, program.value);

    header(d, "MIME-Version", "1.0");
    const size_t budget = spec.size > d.size() + 200 ? spec.size - d.size() - 200 : 120;
    append_body(d, spec, budget, rng, m);
    return m;
}

size_t header_section_size(std::string_view message) {
    if (message.rfind("\r\n", 0) == 0) return 2;
    const size_t at = message.find("\r\n\r\n");
    return at == std::string_view::npos ? message.size() : at + 4;
}

nlohmann::ordered_json message_truth(const Message &m) {
    return {{"size", m.data.size()},
            {"from", m.from},
            {"subject", m.subject},
            {"message_id", m.message_id},
            {"attachments", m.attachments}};
}

}  // namespace postern::synth::mail
