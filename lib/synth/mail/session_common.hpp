// Pieces the SMTP, POP3 and IMAP generators share: who talks to whom, how much of the byte
// budget is left for messages, SASL PLAIN, the ground-truth objects, and the switch to TLS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "synth/conversation.hpp"
#include "synth/payload_generator.hpp"
#include "synth/mail/corpus.hpp"
#include "synth/rng.hpp"

namespace postern::synth::mail {

// The session's start in UNIX seconds, for Date headers; a context without one (a generator
// used outside generate_traffic) gets the synthesizer's default start time.
uint64_t session_start_s(const PayloadContext &ctx);

// Application bytes written so far, both directions.
uint64_t conversation_bytes(const Conversation &c);

// Bytes per message when `count` messages share what is left of `target` after `used`, with
// `per_message` protocol bytes around each; never below `floor` (small budgets overshoot).
uint64_t message_budget(uint64_t target, uint64_t used, uint64_t count, uint64_t per_message, uint64_t floor);

// 1..5 recipients, mostly one; colleagues at `own_domain` or people elsewhere.
std::vector<Mailbox> recipients(Rng &rng, std::string_view own_domain);

// base64("\0user\0password"), the RFC 4616 initial response.
std::string sasl_plain(std::string_view user, std::string_view password);

// The login name a client uses: the full address or its local part.
std::string login_name(Rng &rng, const Mailbox &owner);

// {"mechanism", "user", "result": "success"|"failure"}.
nlohmann::ordered_json auth_truth(std::string_view mechanism, std::string_view user, bool ok);

// {"mail": truth} with the session's command verbs and messages as its last keys.
nlohmann::ordered_json mail_truth(nlohmann::ordered_json truth, nlohmann::ordered_json commands,
                                  nlohmann::ordered_json messages);

// Once the server has agreed to STARTTLS/STLS the session is opaque: a TLS session to
// `server_name` fills what is left of the byte budget, and either side closes it.
void continue_in_tls(const PayloadContext &ctx, Rng &rng, std::string_view server_name, Conversation &out);

// Appends `line` and CRLF.
inline void line(std::string &out, std::string_view text) {
    out += text;
    out += "\r\n";
}

}  // namespace postern::synth::mail
