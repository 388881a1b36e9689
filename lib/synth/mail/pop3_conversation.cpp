#include "synth/mail/pop3_conversation.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "synth/mail/encoding.hpp"
#include "synth/mail/message_builder.hpp"
#include "synth/mail/session_common.hpp"

namespace postern::synth::mail {

namespace {

enum Software { kDovecot = 0, kCourier = 1, kExchange = 2 };

std::string hex_string(Rng &rng, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(n, '0');
    for (auto &c : s) c = kHex[rng.below(16)];
    return s;
}

// A message delivered to `owner`: a Return-Path, Received hops, from someone else.
MessageSpec delivered(Rng &rng, const Mailbox &owner, uint64_t start_s, uint64_t size) {
    MessageSpec spec;
    spec.from = person(rng, org_domain(rng));
    spec.to.push_back(owner);
    if (rng.chance(0.3)) spec.to.push_back(person(rng, org_domain(rng)));
    if (rng.chance(0.2)) spec.cc.push_back(person(rng, org_domain(rng)));
    spec.date_s = start_s - rng.between(60, 7 * 86400);
    spec.received_hops = static_cast<int>(rng.between(2, 3));
    spec.return_path = true;
    spec.size = size;
    return spec;
}

}  // namespace

uint16_t Pop3Conversation::natural_port(Rng &) const { return 110; }

void Pop3Conversation::generate(const PayloadContext &ctx, Rng &rng, Conversation &out) {
    const uint64_t start_s = session_start_s(ctx);
    const int software = static_cast<int>(rng.below(3));
    const std::string_view domain = org_domain(rng);
    const std::string host = server_host(rng, "pop", domain);
    const Mailbox owner = person(rng, domain);

    nlohmann::ordered_json truth{{"protocol", "pop3"}, {"starttls", false}};
    nlohmann::ordered_json commands = nlohmann::ordered_json::array();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    auto finish = [&] { out.truth = mail_truth(std::move(truth), std::move(commands), std::move(messages)); };
    auto command = [&](std::string_view verb, const std::string &text) {
        commands.push_back(verb);
        out.client(text + "\r\n");
    };

    // Greeting; an APOP timestamp (RFC 1939 7) is "<pid.clock@host>".
    std::string apop;
    if (software != kExchange && rng.chance(0.35)) {
        const uint64_t pid = rng.between(1000, 99999);
        apop = "<" + std::to_string(pid) + "." + std::to_string(start_s) + "@" + host + ">";
    }
    if (software == kDovecot) out.server("+OK Dovecot ready." + (apop.empty() ? "" : " " + apop) + "\r\n");
    else if (software == kCourier) out.server("+OK Hello there." + (apop.empty() ? "" : " " + apop) + "\r\n");
    else out.server("+OK The Microsoft Exchange POP3 service is ready.\r\n");

    bool pipelining = false, sasl_plain_ok = false, stls = false;
    if (rng.chance(0.8)) {
        command("CAPA", "CAPA");
        std::string r = software == kCourier ? "+OK Here's what I can do:\r\n" : "+OK\r\n";
        line(r, "CAPA");
        line(r, "TOP");
        line(r, "UIDL");
        line(r, "RESP-CODES");
        pipelining = rng.chance(0.7);
        if (pipelining) line(r, "PIPELINING");
        line(r, "AUTH-RESP-CODE");
        line(r, "USER");
        sasl_plain_ok = true;
        line(r, "SASL PLAIN LOGIN");
        stls = rng.chance(0.7);
        if (stls) line(r, "STLS");
        if (software == kCourier) line(r, "IMPLEMENTATION Courier Mail Server");
        r += ".\r\n";
        out.server(r);
    }
    if (stls && rng.chance(0.12)) {
        command("STLS", "STLS");
        out.server("+OK Begin TLS negotiation now.\r\n");
        truth["starttls"] = true;
        continue_in_tls(ctx, rng, host, out);
        finish();
        return;
    }

    const std::string user = login_name(rng, owner);
    const std::string pass = password(rng);
    const bool ok = rng.chance(0.92);
    const char *failure = "-ERR [AUTH] Authentication failed.\r\n";
    const char *success = software == kExchange ? "+OK User successfully logged on.\r\n" : "+OK Logged in.\r\n";
    std::string mechanism;
    if (!apop.empty() && rng.chance(0.6)) {
        mechanism = "APOP";
        // The digest is MD5(timestamp + password); nobody can check it without the password, so
        // 32 seeded hex digits look the same.
        command("APOP", "APOP " + user + " " + hex_string(rng, 32));
    } else if (sasl_plain_ok && rng.chance(0.25)) {
        mechanism = "PLAIN";
        if (rng.chance(0.5)) {
            command("AUTH", "AUTH PLAIN " + sasl_plain(user, pass));
        } else {
            command("AUTH", "AUTH PLAIN");
            out.server("+ \r\n");
            out.client(sasl_plain(user, pass) + "\r\n");
        }
    } else {
        mechanism = "USER";
        command("USER", "USER " + user);
        out.server("+OK\r\n");
        command("PASS", "PASS " + pass);
    }
    out.server(ok ? success : failure);
    truth["auth"] = auth_truth(mechanism, user, ok);
    if (!ok) {
        command("QUIT", "QUIT");
        out.server("+OK Logging out.\r\n");
        out.teardown = Teardown::FinServer;
        finish();
        return;
    }

    // The maildrop: `fetch` messages are retrieved (the newest), one other may be TOPped.
    const uint64_t fetch = std::clamp<uint64_t>(ctx.target_bytes / 6000, 1, rng.between(1, 4));
    const uint64_t total = fetch + rng.between(0, 15);
    std::vector<uint64_t> sizes(total);
    for (auto &sz : sizes) sz = rng.log_between(800, 120000);
    std::vector<Message> retrieved;
    const uint64_t used = conversation_bytes(out) + 40 * total + 100;
    for (uint64_t i = 0; i < fetch; ++i) {
        const uint64_t size = message_budget(ctx.target_bytes, used, fetch, 120, 700);
        retrieved.push_back(build_message(delivered(rng, owner, start_s, size), rng));
        sizes[total - fetch + i] = retrieved.back().data.size();
    }
    std::optional<std::pair<uint64_t, Message>> top;
    if (total > fetch && rng.chance(0.3)) {
        const uint64_t n = rng.between(1, total - fetch);
        const uint64_t size = rng.log_between(1500, 30000);
        top.emplace(n, build_message(delivered(rng, owner, start_s, size), rng));
        sizes[n - 1] = top->second.data.size();
    }
    uint64_t octets = 0;
    for (uint64_t sz : sizes) octets += sz;

    // STAT, LIST, UIDL: pipelined in one segment when the server offered PIPELINING.
    const bool uidl = rng.chance(0.7);
    const bool batch = pipelining && rng.chance(0.5);
    std::string req, resp;
    auto exchange = [&](std::string_view verb, const std::string &cmd, const std::string &reply) {
        commands.push_back(verb);
        if (batch) {
            line(req, cmd);
            resp += reply;
        } else {
            out.client(cmd + "\r\n");
            out.server(reply);
        }
    };
    exchange("STAT", "STAT", "+OK " + std::to_string(total) + " " + std::to_string(octets) + "\r\n");
    std::string list = "+OK " + std::to_string(total) + " messages:\r\n";
    for (uint64_t i = 0; i < total; ++i) line(list, std::to_string(i + 1) + " " + std::to_string(sizes[i]));
    list += ".\r\n";
    exchange("LIST", "LIST", list);
    if (uidl) {
        std::string u = "+OK\r\n";
        const std::string prefix = hex_string(rng, 8);
        for (uint64_t i = 0; i < total; ++i) line(u, std::to_string(i + 1) + " " + prefix + hex_string(rng, 8));
        u += ".\r\n";
        exchange("UIDL", "UIDL", u);
    }
    if (batch) {
        out.client(req);
        out.server(resp);
    }

    if (top) {
        const Message &m = top->second;
        const size_t head = header_section_size(m.data);
        command("TOP", "TOP " + std::to_string(top->first) + " 0");
        std::string r = "+OK\r\n";
        append_dot_stuffed(r, std::string_view(m.data).substr(0, head));
        out.server(r);
        nlohmann::ordered_json t{{"command", "TOP"}, {"number", top->first}};
        const nlohmann::ordered_json summary = message_truth(m);
        for (const auto &[k, v] : summary.items()) t[k] = v;
        t["size"] = head;
        t["attachments"] = nlohmann::ordered_json::array();  // the body was not sent
        messages.push_back(std::move(t));
    }

    const bool dele = rng.chance(0.5);
    for (uint64_t i = 0; i < fetch; ++i) {
        const uint64_t n = total - fetch + i + 1;
        const Message &m = retrieved[i];
        command("RETR", "RETR " + std::to_string(n));
        std::string r = "+OK " + std::to_string(m.data.size()) + " octets\r\n";
        append_dot_stuffed(r, m.data);
        out.server(r);
        nlohmann::ordered_json t{{"command", "RETR"}, {"number", n}};
        const nlohmann::ordered_json summary = message_truth(m);
        for (const auto &[k, v] : summary.items()) t[k] = v;
        messages.push_back(std::move(t));
        if (dele) {
            command("DELE", "DELE " + std::to_string(n));
            out.server("+OK Marked to be deleted.\r\n");
        }
    }
    if (rng.chance(0.1)) {
        command("NOOP", "NOOP");
        out.server("+OK\r\n");
    }
    command("QUIT", "QUIT");
    out.server(dele && software == kDovecot ? "+OK Logging out, messages deleted.\r\n" : "+OK Logging out.\r\n");
    out.teardown = rng.chance(0.8) ? Teardown::FinServer : Teardown::FinClient;
    finish();
}

}  // namespace postern::synth::mail
