#include "synth/mail/smtp_conversation.hpp"

#include <array>

#include "synth/mail/encoding.hpp"
#include "synth/mail/message_builder.hpp"
#include "synth/mail/session_common.hpp"

namespace postern::synth::mail {

namespace {

// Reply texts of three common servers; the codes are the same, the wording is not.
struct Flavor {
    std::string_view mail_ok, rcpt_ok, data_go, ok, bye, auth_ok, auth_fail, tls_go;
};
constexpr std::array<Flavor, 3> kFlavors = {{
    {"250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok", "221 2.0.0 Bye",
     "235 2.7.0 Authentication successful", "535 5.7.8 Error: authentication failed: authentication failure",
     "220 2.0.0 Ready to start TLS"},
    {"250 OK", "250 Accepted", "354 Enter message, ending with \".\" on a line by itself", "250 OK",
     "221 closing connection", "235 Authentication succeeded", "535 Incorrect authentication data",
     "220 TLS go ahead"},
    {"250 2.1.0 Sender OK", "250 2.1.5 Recipient OK", "354 Start mail input; end with <CRLF>.<CRLF>",
     "250 2.0.0 OK", "221 2.0.0 Service closing transmission channel", "235 2.7.0 Authentication successful",
     "535 5.7.3 Authentication unsuccessful", "220 2.0.0 SMTP server ready"},
}};
enum Software { kPostfix = 0, kExim = 1, kExchange = 2 };

std::string queued_reply(int software, Rng &rng, const std::string &message_id, bool last_chunk, uint64_t chunk) {
    static constexpr std::string_view kId = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id(software == kExim ? 16 : 14, 'x');
    for (auto &c : id) c = kId[rng.below(kId.size())];
    if (!last_chunk) {
        if (software == kExim) return "250 " + std::to_string(chunk) + " byte chunk received";
        if (software == kExchange) return "250 2.0.0 CHUNK received OK";
        return "250 2.0.0 Ok: " + std::to_string(chunk) + " bytes";
    }
    if (software == kExim) return "250 OK id=" + id.substr(0, 6) + "-" + id.substr(6, 6) + "-" + id.substr(12, 2);
    if (software == kExchange)
        return "250 2.6.0 " + message_id + " [InternalId=" + std::to_string(rng.between(10000000, 99999999)) +
               "] Queued mail for delivery";
    return "250 2.0.0 Ok: queued as 4" + id;
}

struct Capabilities {
    bool starttls, auth, chunking, smtputf8;
};

std::string ehlo_reply(int software, std::string_view host, std::string_view helo, const Capabilities &caps,
                       Rng &rng) {
    std::vector<std::string> lines;
    if (software == kExim)
        lines.push_back(std::string(host) + " Hello " + std::string(helo) + " [" + doc_ip(rng, false) + "]");
    else if (software == kExchange)
        lines.push_back(std::string(host) + " Hello [" + doc_ip(rng, false) + "]");
    else
        lines.emplace_back(host);
    lines.emplace_back("PIPELINING");
    static constexpr const char *kSizes[] = {"SIZE 52428800", "SIZE 10240000", "SIZE 35882577"};
    lines.emplace_back(kSizes[rng.below(3)]);
    if (software == kPostfix) {
        lines.emplace_back("VRFY");
        lines.emplace_back("ETRN");
    }
    if (caps.starttls) lines.emplace_back("STARTTLS");
    if (caps.auth) lines.emplace_back(rng.chance(0.5) ? "AUTH PLAIN LOGIN" : "AUTH LOGIN PLAIN");
    lines.emplace_back("ENHANCEDSTATUSCODES");
    lines.emplace_back("8BITMIME");
    lines.emplace_back("DSN");
    if (caps.smtputf8) lines.emplace_back("SMTPUTF8");
    if (caps.chunking) lines.emplace_back("CHUNKING");
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) line(out, (i + 1 < lines.size() ? "250-" : "250 ") + lines[i]);
    return out;
}

}  // namespace

uint16_t SmtpConversation::natural_port(Rng &rng) const { return rng.chance(0.6) ? 25 : 587; }

void SmtpConversation::generate(const PayloadContext &ctx, Rng &rng, Conversation &out) {
    const uint64_t start_s = session_start_s(ctx);
    const bool submission = ctx.server_port == 587;
    const int software = static_cast<int>(rng.below(kFlavors.size()));
    const Flavor &fl = kFlavors[static_cast<size_t>(software)];
    const std::string_view server_domain = org_domain(rng);
    const std::string host = server_host(rng, submission ? "smtp" : "mx", server_domain);
    const std::string_view sender_domain = submission ? server_domain : org_domain(rng);
    const Mailbox sender = person(rng, sender_domain);
    const std::string helo = submission ? client_helo(rng) : server_host(rng, "smtp", sender_domain);

    Capabilities caps{};
    caps.starttls = rng.chance(0.7);
    caps.auth = submission || rng.chance(0.3);
    caps.chunking = rng.chance(0.4);
    caps.smtputf8 = rng.chance(0.3);

    nlohmann::ordered_json truth{{"protocol", "smtp"}, {"helo", helo}, {"starttls", false}};
    nlohmann::ordered_json commands = nlohmann::ordered_json::array();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    auto finish = [&] { out.truth = mail_truth(std::move(truth), std::move(commands), std::move(messages)); };

    std::string s;
    if (software == kPostfix) {
        s = "220 " + host + (rng.chance(0.5) ? " ESMTP Postfix" : " ESMTP Postfix (Debian/GNU)");
    } else {
        const std::string date = rfc5322_date(start_s, 0);
        s = software == kExim ? "220 " + host + " ESMTP Exim 4.96 " + date
                              : "220 " + host + " Microsoft ESMTP MAIL Service ready at " + date;
    }
    out.server(s + "\r\n");
    out.client("EHLO " + helo + "\r\n");
    commands.push_back("EHLO");
    out.server(ehlo_reply(software, host, helo, caps, rng));

    if (caps.starttls && rng.chance(0.15)) {
        out.client("STARTTLS\r\n");
        commands.push_back("STARTTLS");
        out.server(std::string(fl.tls_go) + "\r\n");
        truth["starttls"] = true;
        continue_in_tls(ctx, rng, host, out);
        finish();
        return;
    }

    if (caps.auth && (submission ? rng.chance(0.95) : rng.chance(0.3))) {
        const std::string user = login_name(rng, sender);
        const std::string pass = password(rng);
        const bool ok = rng.chance(0.92);
        const bool plain = rng.chance(0.6);
        commands.push_back("AUTH");
        if (plain && rng.chance(0.8)) {
            out.client("AUTH PLAIN " + sasl_plain(user, pass) + "\r\n");
        } else if (plain) {
            out.client("AUTH PLAIN\r\n");
            out.server("334 \r\n");
            out.client(sasl_plain(user, pass) + "\r\n");
        } else {
            out.client("AUTH LOGIN\r\n");
            out.server("334 VXNlcm5hbWU6\r\n");  // "Username:"
            out.client(base64(user) + "\r\n");
            out.server("334 UGFzc3dvcmQ6\r\n");  // "Password:"
            out.client(base64(pass) + "\r\n");
        }
        out.server(std::string(ok ? fl.auth_ok : fl.auth_fail) + "\r\n");
        truth["auth"] = auth_truth(plain ? "PLAIN" : "LOGIN", user, ok);
        if (!ok) {
            out.client("QUIT\r\n");
            commands.push_back("QUIT");
            out.server(std::string(fl.bye) + "\r\n");
            out.teardown = Teardown::FinServer;
            finish();
            return;
        }
    }

    const uint64_t r = rng.below(100);
    const uint64_t count = ctx.target_bytes < 6000 ? 1 : r < 75 ? 1 : r < 90 ? 2 : 3;
    for (uint64_t i = 0; i < count; ++i) {
        if (i > 0 && rng.chance(0.3)) {
            out.client("RSET\r\n");
            commands.push_back("RSET");
            out.server(std::string(fl.ok) + "\r\n");
        }
        if (rng.chance(0.08)) {
            out.client("NOOP\r\n");
            commands.push_back("NOOP");
            out.server(std::string(fl.ok) + "\r\n");
        }
        MessageSpec spec;
        spec.from = sender;
        std::vector<Mailbox> rcpts = recipients(rng, sender_domain);
        const size_t cc = rcpts.size() > 1 && rng.chance(0.4) ? rng.between(1, rcpts.size() - 1) : 0;
        spec.to.assign(rcpts.begin(), rcpts.end() - static_cast<std::ptrdiff_t>(cc));
        spec.cc.assign(rcpts.end() - static_cast<std::ptrdiff_t>(cc), rcpts.end());
        if (rng.chance(0.1)) rcpts.push_back(person(rng, sender_domain));  // Bcc: envelope only
        spec.date_s = start_s - (submission ? rng.between(0, 5) : rng.between(2, 180));
        spec.received_hops = submission ? 0 : 1;
        spec.size = message_budget(ctx.target_bytes, conversation_bytes(out), count - i, 250, 600);
        const Message msg = build_message(spec, rng);

        std::string mail_cmd = "MAIL FROM:<" + sender.address + ">";
        if (rng.chance(0.6)) mail_cmd += " SIZE=" + std::to_string(msg.data.size());
        if (rng.chance(0.2)) mail_cmd += " BODY=8BITMIME";
        const bool bdat = caps.chunking && rng.chance(0.4);
        const bool pipelined = rng.chance(0.5);
        std::vector<std::string> envelope{mail_cmd};
        std::vector<std::string> replies{std::string(fl.mail_ok)};
        nlohmann::ordered_json rcpt_truth = nlohmann::ordered_json::array();
        commands.push_back("MAIL");
        for (const auto &rc : rcpts) {
            envelope.push_back("RCPT TO:<" + rc.address + ">");
            replies.emplace_back(fl.rcpt_ok);
            rcpt_truth.push_back("<" + rc.address + ">");
            commands.push_back("RCPT");
        }

        if (!bdat) {
            envelope.emplace_back("DATA");
            replies.emplace_back(fl.data_go);
            commands.push_back("DATA");
            if (pipelined) {  // RFC 2920: the whole envelope in one segment, the replies in one
                std::string c, sv;
                for (const auto &e : envelope) line(c, e);
                for (const auto &e : replies) line(sv, e);
                out.client(c);
                out.server(sv);
            } else {
                for (size_t k = 0; k < envelope.size(); ++k) {
                    out.client(envelope[k] + "\r\n");
                    out.server(replies[k] + "\r\n");
                }
            }
            std::string body;
            append_dot_stuffed(body, msg.data);
            out.client(body);
            out.server(queued_reply(software, rng, msg.message_id, true, 0) + "\r\n");
        } else {
            // RFC 3030: 1-3 chunks, the last marked LAST; no dot-stuffing.
            const uint64_t chunks = msg.data.size() < 4000 ? 1 : rng.between(1, 3);
            std::vector<uint64_t> sizes;
            for (uint64_t k = 0, at = 0; k < chunks; ++k) {
                const uint64_t left = msg.data.size() - at;
                const uint64_t n = k + 1 == chunks ? left : rng.between(left / 4, left / 2);
                sizes.push_back(n);
                at += n;
            }
            std::string c, sv;
            for (size_t k = 0; k < envelope.size(); ++k) {
                if (pipelined) {
                    line(c, envelope[k]);
                    line(sv, replies[k]);
                } else {
                    out.client(envelope[k] + "\r\n");
                    out.server(replies[k] + "\r\n");
                }
            }
            for (uint64_t k = 0, at = 0; k < chunks; ++k) {
                const bool last = k + 1 == chunks;
                line(c, "BDAT " + std::to_string(sizes[k]) + (last ? " LAST" : ""));
                c.append(msg.data, at, sizes[k]);
                at += sizes[k];
                line(sv, queued_reply(software, rng, msg.message_id, last, sizes[k]));
                commands.push_back("BDAT");
                if (!pipelined) {
                    out.client(c);
                    out.server(sv);
                    c.clear();
                    sv.clear();
                }
            }
            if (pipelined) {
                out.client(c);
                out.server(sv);
            }
        }
        nlohmann::ordered_json m{{"mail_from", "<" + sender.address + ">"},
                                 {"rcpt_to", std::move(rcpt_truth)},
                                 {"mode", bdat ? "bdat" : "data"}};
        const nlohmann::ordered_json summary = message_truth(msg);
        for (const auto &[k, v] : summary.items()) m[k] = v;
        messages.push_back(std::move(m));
    }
    out.client("QUIT\r\n");
    commands.push_back("QUIT");
    out.server(std::string(fl.bye) + "\r\n");
    out.teardown = rng.chance(0.8) ? Teardown::FinServer : Teardown::FinClient;
    finish();
}

}  // namespace postern::synth::mail
