// What a mail session says about authentication, kept across its transactions and written in
// each: the mechanism (or command: USER, APOP, LOGIN) last tried, the user it named, whether a
// secret went by (never the secret itself) and how the attempt ended.
#pragma once

#include <cstddef>
#include <string_view>

#include "proto/common/ascii.hpp"
#include "proto/common/fixed_text.hpp"
#include "proto/common/sasl_exchange.hpp"
#include "proto/events.hpp"

namespace postern::proto {

struct SessionAuth {
    SaslExchange sasl;
    FixedText<32> mechanism;
    FixedText<256> user;
    AuthResult result = AuthResult::Pending;
    bool secret_seen = false;

    // A new attempt, by mechanism or command name (kept upper-case).
    void attempt(std::string_view name) {
        char upper[32];
        size_t n = 0;
        for (char c : name)
            if (n < sizeof upper) upper[n++] = ascii::to_upper(c);
        mechanism.assign({upper, n});
        result = AuthResult::Pending;
        secret_seen = false;
    }

    // A SASL response, the initial one or one that answers a challenge: notes the user and
    // whether a secret went by. The caller reports the rest (invalid base64, the user as a field).
    AuthResponseInfo take_response(std::string_view response, bool answers_challenge) {
        if (answers_challenge) sasl.answered();
        char name[256];
        const AuthResponseInfo info = sasl.inspect(response, name, sizeof name);
        if (info.cancelled) return info;
        if (info.has_secret) secret_seen = true;
        if (info.has_user) user.assign({name, info.user_len});
        return info;
    }

    // The facts every transaction carries (the user goes in a field of its own name).
    template <class Transaction>
    void write_to(Transaction &tx) const {
        tx.auth_mechanism = mechanism.view();
        tx.auth_result = result;
        tx.auth_secret_seen = secret_seen;
    }

    // The attempt ended (or the session did, in the middle of it: Pending).
    void finish(AuthResult how, EventSink &sink, Protocol protocol) {
        sasl.stop();
        result = how;
        sink.on_auth(protocol, mechanism.view(), user.view(), how);
    }
};

}  // namespace postern::proto
