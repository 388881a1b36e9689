#include "proto/smtp/smtp_auth.hpp"

#include "proto/common/ascii.hpp"
#include "proto/common/base64.hpp"
#include "proto/common/keyword_table.hpp"

namespace postern::proto {

namespace {

constexpr Keyword<AuthMechanism> kMechanisms[] = {
    {AuthMechanism::Plain, "PLAIN"},               {AuthMechanism::Login, "LOGIN"},
    {AuthMechanism::CramMd5, "CRAM-MD5"},          {AuthMechanism::XOAuth2, "XOAUTH2"},
    {AuthMechanism::OAuthBearer, "OAUTHBEARER"},   {AuthMechanism::ScramSha1, "SCRAM-SHA-1"},
    {AuthMechanism::ScramSha256, "SCRAM-SHA-256"}, {AuthMechanism::DigestMd5, "DIGEST-MD5"},
    {AuthMechanism::Ntlm, "NTLM"},                 {AuthMechanism::GssApi, "GSSAPI"},
    {AuthMechanism::External, "EXTERNAL"},         {AuthMechanism::Anonymous, "ANONYMOUS"},
};

}  // namespace

AuthMechanism classify_auth_mechanism(std::string_view n) { return find_keyword(kMechanisms, n, AuthMechanism::Other); }

uint8_t expected_auth_responses(AuthMechanism m, bool initial_response) {
    const uint8_t ir = initial_response ? 1 : 0;
    switch (m) {
    case AuthMechanism::Plain:
    case AuthMechanism::XOAuth2:
    case AuthMechanism::OAuthBearer:
    case AuthMechanism::External:
    case AuthMechanism::Anonymous: return static_cast<uint8_t>(1 - ir);
    case AuthMechanism::Login: return static_cast<uint8_t>(2 - ir);
    case AuthMechanism::CramMd5: return 1;  // no initial response: the server challenges first
    case AuthMechanism::ScramSha1:
    case AuthMechanism::ScramSha256: return static_cast<uint8_t>(2 - ir);
    default: return kUnknownAuthResponses;
    }
}

namespace {

size_t copy_user(std::string_view u, char *out, size_t cap) {
    size_t n = 0;
    for (char c : u) {
        if (n == cap) break;
        out[n++] = c;
    }
    return n;
}

// "n,a=authzid,..." (GS2 header) → the a= value; SCRAM client-first "n,,n=user,r=..." → n=.
std::string_view gs2_field(std::string_view msg, std::string_view key) {
    size_t pos = 0;
    while (pos < msg.size()) {
        size_t end = msg.find_first_of(",\x01", pos);
        if (end == std::string_view::npos) end = msg.size();
        const std::string_view item = msg.substr(pos, end - pos);
        if (item.size() > key.size() && item.substr(0, key.size()) == key) return item.substr(key.size());
        pos = end + 1;
    }
    return {};
}

}  // namespace

AuthResponseInfo inspect_auth_response(AuthMechanism m, unsigned index, std::string_view response, char *user,
                                       size_t cap) {
    AuthResponseInfo info;
    response = ascii::trim(response);
    if (response == "*") {
        info.cancelled = true;
        return info;
    }
    uint8_t buf[1024];
    size_t len = 0;
    if (response != "=") len = decode_base64(response, buf, sizeof buf, &info.valid_base64);
    const std::string_view d(reinterpret_cast<const char *>(buf), len);
    auto take_user = [&](std::string_view u) {  // the response names a user: kept up to `cap` bytes
        info.user_len = copy_user(u, user, cap);
        info.has_user = true;
    };

    switch (m) {
    case AuthMechanism::Plain: {  // authzid NUL authcid NUL passwd (RFC 4616)
        if (index != 0) break;
        const size_t a = d.find('\0');
        const size_t b = a == std::string_view::npos ? a : d.find('\0', a + 1);
        if (b == std::string_view::npos) break;
        std::string_view u = d.substr(a + 1, b - a - 1);
        if (u.empty()) u = d.substr(0, a);
        take_user(u);
        info.has_secret = b + 1 < d.size();
        break;
    }
    case AuthMechanism::Login:
        if (index == 0) {
            take_user(d);
        } else {
            info.has_secret = !d.empty();
        }
        break;
    case AuthMechanism::CramMd5: {  // "user hex-digest" (RFC 2195)
        const size_t sp = d.rfind(' ');
        if (index != 0 || sp == std::string_view::npos) break;
        take_user(d.substr(0, sp));
        info.has_secret = true;
        break;
    }
    case AuthMechanism::XOAuth2:  // "user=U ^A auth=Bearer T ^A ^A"
        if (const std::string_view u = gs2_field(d, "user="); !u.empty()) take_user(u);
        info.has_secret = d.find("auth=") != std::string_view::npos;
        break;
    case AuthMechanism::OAuthBearer:  // "n,a=U,^Ahost=...^Aauth=Bearer T^A^A" (RFC 7628)
        if (const std::string_view u = gs2_field(d, "a="); !u.empty()) take_user(u);
        info.has_secret = d.find("auth=") != std::string_view::npos;
        break;
    case AuthMechanism::ScramSha1:
    case AuthMechanism::ScramSha256:
        if (index == 0) {  // client-first-message "n,,n=U,r=nonce" (RFC 5802)
            if (const std::string_view u = gs2_field(d, "n="); !u.empty()) take_user(u);
        } else {
            info.has_secret = !d.empty();  // carries the proof
        }
        break;
    default:
        info.has_secret = !d.empty();
        break;
    }
    return info;
}

}  // namespace postern::proto
