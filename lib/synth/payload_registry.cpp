#include <algorithm>
#include <map>
#include <mutex>

#include "synth/mail/imap_conversation.hpp"
#include "synth/mail/pop3_conversation.hpp"
#include "synth/mail/smtp_conversation.hpp"
#include "synth/payload_builtin.hpp"
#include "synth/payload_generator.hpp"

namespace postern::synth {

namespace {

struct Registry {
    std::mutex mu;
    std::map<std::string, PayloadFactory, std::less<>> factories;

    Registry() {
        // Built-ins. Mail-protocol generators add one line each here.
        factories["random"] = [] { return std::make_unique<RandomPayload>(); };
        factories["text"] = [] { return std::make_unique<TextPayload>(); };
        factories["smtp"] = [] { return std::make_unique<mail::SmtpConversation>(); };
        factories["pop3"] = [] { return std::make_unique<mail::Pop3Conversation>(); };
        factories["imap"] = [] { return std::make_unique<mail::ImapConversation>(); };
    }
};

Registry &registry() {
    static Registry r;
    return r;
}

}  // namespace

void register_payload_generator(const std::string &name, PayloadFactory factory) {
    auto &r = registry();
    std::lock_guard lock(r.mu);
    r.factories[name] = std::move(factory);
}

std::unique_ptr<PayloadGenerator> make_payload_generator(std::string_view name) {
    auto &r = registry();
    std::lock_guard lock(r.mu);
    const auto it = r.factories.find(name);
    return it == r.factories.end() ? nullptr : it->second();
}

std::vector<std::string> payload_generator_names() {
    auto &r = registry();
    std::lock_guard lock(r.mu);
    std::vector<std::string> names;
    for (const auto &[name, f] : r.factories) names.push_back(name);
    return names;
}

std::vector<uint64_t> split_into_turns(uint64_t total, uint64_t max_turns, Rng &rng) {
    std::vector<uint64_t> sizes;
    if (total == 0) return sizes;
    const uint64_t turns = rng.between(1, std::clamp<uint64_t>(max_turns, 1, total));
    // Random weights 1..64 give uneven turns without any floating point.
    std::vector<uint64_t> weights(turns);
    uint64_t sum = 0;
    for (auto &w : weights) sum += (w = rng.between(1, 64));
    uint64_t given = 0;
    for (uint64_t i = 0; i < turns; ++i) {
        uint64_t n = (i + 1 == turns) ? total - given : std::max<uint64_t>(1, total * weights[i] / sum);
        if (i + 1 < turns && given + n > total - (turns - 1 - i)) n = 1;  // leave >= 1 per later turn
        sizes.push_back(n);
        given += n;
    }
    return sizes;
}

}  // namespace postern::synth
