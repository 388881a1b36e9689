#include "synth/mail/session_common.hpp"

#include <utility>

#include "synth/mail/encoding.hpp"
#include "synth/mail/tls_records.hpp"

namespace postern::synth::mail {

uint64_t session_start_s(const PayloadContext &ctx) {
    constexpr uint64_t kDefault = 1'700'000'000;  // --start-time's default
    const uint64_t s = ctx.start_us / 1'000'000;
    return s < 86400 * 365 ? kDefault : s;  // dates are drawn up to a week before the start
}

uint64_t conversation_bytes(const Conversation &c) {
    uint64_t n = 0;
    for (const auto &e : c.exchanges) n += e.data.size();
    return n;
}

uint64_t message_budget(uint64_t target, uint64_t used, uint64_t count, uint64_t per_message, uint64_t floor) {
    if (count == 0) return floor;
    const uint64_t overhead = used + count * per_message;
    const uint64_t each = target > overhead ? (target - overhead) / count : 0;
    return each > floor ? each : floor;
}

std::vector<Mailbox> recipients(Rng &rng, std::string_view own_domain) {
    const uint64_t r = rng.below(100);
    const uint64_t n = r < 60 ? 1 : r < 85 ? 2 : rng.between(3, 5);
    std::vector<Mailbox> out;
    for (uint64_t i = 0; i < n; ++i) {
        const std::string_view domain = rng.chance(0.4) ? own_domain : org_domain(rng);
        out.push_back(person(rng, domain));
    }
    return out;
}

std::string sasl_plain(std::string_view user, std::string_view password) {
    std::string raw;
    raw += '\0';
    raw += user;
    raw += '\0';
    raw += password;
    return base64(raw);
}

std::string login_name(Rng &rng, const Mailbox &owner) {
    if (rng.chance(0.6)) return owner.address;
    return owner.address.substr(0, owner.address.find('@'));
}

nlohmann::ordered_json auth_truth(std::string_view mechanism, std::string_view user, bool ok) {
    return {{"mechanism", mechanism}, {"user", user}, {"result", ok ? "success" : "failure"}};
}

nlohmann::ordered_json mail_truth(nlohmann::ordered_json truth, nlohmann::ordered_json commands,
                                  nlohmann::ordered_json messages) {
    truth["commands"] = std::move(commands);
    truth["messages"] = std::move(messages);
    return {{"mail", std::move(truth)}};
}

void continue_in_tls(const PayloadContext &ctx, Rng &rng, std::string_view server_name, Conversation &out) {
    const uint64_t used = conversation_bytes(out);
    append_tls_session(out, rng, server_name, ctx.target_bytes > used ? ctx.target_bytes - used : 0);
    out.teardown = rng.chance(0.5) ? Teardown::FinClient : Teardown::FinServer;
}

}  // namespace postern::synth::mail
