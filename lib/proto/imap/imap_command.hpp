// IMAP command names (RFC 3501, 9051 and the extensions mail clients use), the session state each
// needs, and CAPABILITY names as bits.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::proto {

enum class ImapVerb : uint8_t {
    Unknown,
    Capability,
    Noop,
    Logout,
    Starttls,
    Authenticate,
    Login,
    Select,
    Examine,
    Create,
    Delete,
    Rename,
    Subscribe,
    Unsubscribe,
    List,
    Lsub,
    Xlist,
    Status,
    Append,
    Check,
    Close,
    Unselect,
    Expunge,
    Search,
    Fetch,
    Store,
    Copy,
    Move,
    Uid,  // "UID" alone, without a command after it
    Idle,
    Namespace,
    Enable,
    Id,
    Compress,
    GetQuota,
    GetQuotaRoot,
    SetQuota,
    GetAcl,
    SetAcl,
    MyRights,
    Sort,
    Thread,
    GetMetadata,
    SetMetadata,
    Unauthenticate,
    Replace,
};

ImapVerb classify_imap_verb(std::string_view name);  // case-insensitive
std::string_view imap_verb_name(ImapVerb v);  // "FETCH"...; "UNKNOWN"
// Commands that take the UID prefix (RFC 3501 6.4.8, 4315, 6851, 5256, 8508).
bool imap_verb_takes_uid(ImapVerb v);

// RFC 3501 3 states: commands valid only once authenticated, only with a mailbox selected, and
// only before authentication.
bool imap_needs_authentication(ImapVerb v);
bool imap_needs_selection(ImapVerb v);
bool imap_before_authentication_only(ImapVerb v);

// CAPABILITY names as bits (AUTH= and APPENDLIMIT= by prefix).
enum ImapCapability : uint32_t {
    kImapCapImap4rev1 = 1u << 0,
    kImapCapImap4rev2 = 1u << 1,
    kImapCapStarttls = 1u << 2,
    kImapCapLoginDisabled = 1u << 3,
    kImapCapAuth = 1u << 4,
    kImapCapSaslIr = 1u << 5,
    kImapCapIdle = 1u << 6,
    kImapCapLiteralPlus = 1u << 7,
    kImapCapLiteralMinus = 1u << 8,
    kImapCapCompressDeflate = 1u << 9,
    kImapCapUidPlus = 1u << 10,
    kImapCapMove = 1u << 11,
    kImapCapCondstore = 1u << 12,
    kImapCapQresync = 1u << 13,
    kImapCapEnable = 1u << 14,
    kImapCapUtf8Accept = 1u << 15,
    kImapCapId = 1u << 16,
    kImapCapNamespace = 1u << 17,
    kImapCapBinary = 1u << 18,
    kImapCapCatenate = 1u << 19,
    kImapCapMultiAppend = 1u << 20,
    kImapCapSpecialUse = 1u << 21,
    kImapCapUnselect = 1u << 22,
    kImapCapChildren = 1u << 23,
    kImapCapQuota = 1u << 24,
    kImapCapEsearch = 1u << 25,
    kImapCapAppendLimit = 1u << 26,
    kImapCapXlist = 1u << 27,
    kImapCapGmail = 1u << 28,  // X-GM-EXT-1
    kImapCapOther = 1u << 31,  // a name we do not know
};
inline constexpr int kImapCapabilityCount = 29;

uint32_t classify_imap_capability(std::string_view name);
std::string_view imap_capability_name(int bit);  // bit index 0..kImapCapabilityCount-1

}  // namespace postern::proto
