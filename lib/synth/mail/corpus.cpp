#include "synth/mail/corpus.hpp"

#include <array>
#include <cstdio>

namespace postern::synth::mail {

namespace {

struct Name {
    std::string_view display;
    std::string_view local;  // ASCII transliteration for the address
};

// Mostly Latin names; some with accents (Q-encoded words) and some in other scripts (B-encoded).
constexpr std::array<Name, 36> kLatinNames = {{
    {"Alice Johnson", "alice.johnson"},   {"Bob Smith", "bob.smith"},
    {"Carol Williams", "carol.williams"}, {"David Brown", "dbrown"},
    {"Emma Davis", "emma.davis"},         {"Frank Miller", "fmiller"},
    {"Grace Wilson", "grace.wilson"},     {"Henry Moore", "henry.moore"},
    {"Isabel Taylor", "itaylor"},         {"Jack Anderson", "jack.anderson"},
    {"Karen Thomas", "karen.thomas"},     {"Liam Jackson", "liam.jackson"},
    {"Mia White", "mia.white"},           {"Noah Harris", "nharris"},
    {"Olivia Martin", "olivia.martin"},   {"Paul Thompson", "paul.thompson"},
    {"Quinn Garcia", "qgarcia"},          {"Rachel Martinez", "rachel.martinez"},
    {"Samuel Robinson", "sam.robinson"},  {"Tara Clark", "tara.clark"},
    {"Umar Lewis", "umar.lewis"},         {"Vera Lee", "vera.lee"},
    {"Walter Walker", "wwalker"},         {"Xenia Hall", "xenia.hall"},
    {"Yusuf Allen", "yusuf.allen"},       {"Zoe Young", "zoe.young"},
    {"Jürgen Müller", "juergen.mueller"}, {"François Dubois", "francois.dubois"},
    {"José García", "jose.garcia"},       {"Søren Kierkegård", "soren.k"},
    {"Łukasz Wiśniewski", "lukasz.w"},    {"Ana Łopez-Núñez", "ana.lopez"},
    {"Zoë Brennan", "zoe.brennan"},       {"Björn Åström", "bjorn.astrom"},
    {"Chloé Lefèvre", "chloe.lefevre"},   {"Ömer Yılmaz", "omer.yilmaz"},
}};

constexpr std::array<Name, 14> kOtherScriptNames = {{
    {"Иван Петров", "ivan.petrov"},
    {"Ольга Смирнова", "olga.smirnova"},
    {"Γιώργος Παπαδόπουλος", "g.papadopoulos"},
    {"田中 太郎", "taro.tanaka"},
    {"佐藤 花子", "hanako.sato"},
    {"王伟", "wang.wei"},
    {"李娜", "li.na"},
    {"김민준", "minjun.kim"},
    {"محمد علي", "m.ali"},
    {"דוד כהן", "david.cohen"},
    {"राहुल शर्मा", "rahul.sharma"},
    {"Nguyễn Văn An", "an.nguyen"},
    {"Анна Кузнецова", "anna.kuznetsova"},
    {"สมชาย ใจดี", "somchai.j"},
}};

constexpr std::array<std::string_view, 8> kRoles = {"noreply", "billing", "support", "it-helpdesk",
                                                     "hr", "newsletter", "accounts", "alerts"};

constexpr std::array<std::string_view, 16> kDomains = {
    "example.com",    "example.net",     "example.org",       "corp.example",
    "acme.example",   "globex.example",  "initech.example",   "umbrella.example",
    "contoso.example", "fabrikam.example", "mail.example",    "research.example.org",
    "eu.example.com", "shop.example.net", "university.example", "lab.example",
};

constexpr std::array<std::string_view, 44> kSubjects = {
    "Q3 report",
    "Meeting notes from Tuesday",
    "Re: Budget review",
    "Fwd: Invoice #4471",
    "Invoice 2023-11-0042",
    "Your order has shipped",
    "Updated contract draft",
    "Re: Re: Travel arrangements for the conference",
    "Lunch on Friday?",
    "Password expiry notice",
    "Weekly status update",
    "Action required: sign the NDA",
    "Re: Server migration plan",
    "Holiday schedule",
    "Fwd: Scanned document",
    "Minutes of the board meeting",
    "Pull request review",
    "Quarterly tax filing",
    "New login to your account",
    "Re: Draft press release",
    "Team offsite agenda",
    "Purchase order PO-88213",
    "Re: Quick question",
    "Shared files",
    "Timesheet reminder",
    "Your ticket #30921 was updated",
    "Photos from the weekend",
    "Candidate shortlist",
    "Re: Price list 2024",
    "Delivery confirmation",
    // Non-ASCII: encoded words in several scripts.
    "Счёт на оплату № 1187",
    "Re: Отчёт за квартал",
    "会議のお知らせ",
    "見積書の送付について",
    "季度报告",
    "关于合同的问题",
    "Προσφορά για το έργο",
    "Bestätigung Ihrer Bestellung",
    "Réunion de l'équipe – compte rendu",
    "Presupuesto año 2024",
    "회의 일정 안내",
    "עדכון פרויקט",
    "تقرير المبيعات الشهري",
    "Zpráva o stavu projektu",
};

constexpr std::array<std::string_view, 40> kSentences = {
    "Please find the latest figures below.",
    "Let me know if you have any questions.",
    "I have attached the document we discussed yesterday.",
    "Could you review this before the end of the week?",
    "The meeting has been moved to Thursday at 10:00.",
    "We are still waiting for the signed copy from legal.",
    "Thanks again for your help with the migration.",
    "The numbers for October look better than expected.",
    "I will be out of the office until Monday.",
    "Please confirm that the delivery address is correct.",
    "The invoice is due within thirty days of receipt.",
    "Our team will follow up with a detailed proposal.",
    "Can we schedule a short call to go over the details?",
    "The previous version had a few errors in the totals.",
    "I forwarded your request to the support team.",
    "Attached is the scanned copy of the agreement.",
    "The server maintenance window starts at 22:00 UTC.",
    "We need your approval before we can place the order.",
    "Here is a summary of the action items from today.",
    "The customer asked for a revised quote.",
    "Shipping usually takes three to five business days.",
    "Please update the spreadsheet with your hours.",
    "The draft still needs a section on risks.",
    "I agree with most of the changes you suggested.",
    "Let us discuss the remaining points at the offsite.",
    "Your account will be renewed automatically.",
    "The report includes data up to the end of September.",
    "We could not reproduce the issue on our side.",
    "The new badge readers will be installed next week.",
    "Please remember to submit your expenses by Friday.",
    "I think we should move the launch by two weeks.",
    "The supplier confirmed the new prices for next year.",
    "Sorry for the late reply, it has been a busy week.",
    "The slides are in the shared folder as usual.",
    "We will send the final version after the review.",
    "Everything went smoothly during the rollout.",
    "The contract renewal is scheduled for January.",
    "Please do not reply to this automated message.",
    "The backup completed successfully last night.",
    "Looking forward to seeing you at the conference.",
};

constexpr std::array<std::string_view, 10> kForeignParagraphs = {
    "Sehr geehrte Damen und Herren, anbei erhalten Sie die gewünschten Unterlagen. Für Rückfragen "
    "stehen wir Ihnen gerne zur Verfügung.",
    "Bonjour, veuillez trouver ci-joint le compte rendu de la réunion. N'hésitez pas à me contacter "
    "si quelque chose n'est pas clair.",
    "Здравствуйте! Направляю вам счёт на оплату и акт выполненных работ. Просьба подтвердить "
    "получение.",
    "お世話になっております。会議の資料を添付いたしましたので、ご確認のほどよろしくお願いいたします。",
    "您好，附件是本季度的销售报告，请查收。如有问题请随时与我联系。",
    "Καλημέρα σας, σας στέλνω την προσφορά για το έργο. Παρακαλώ επιβεβαιώστε την παραλαβή.",
    "Hola, te envío el presupuesto actualizado para el año próximo. Un saludo cordial.",
    "안녕하세요. 다음 주 회의 일정을 첨부 파일로 보내드립니다. 확인 부탁드립니다.",
    "مرحباً، مرفق تقرير المبيعات لهذا الشهر. يرجى المراجعة والرد في أقرب وقت.",
    "Dobrý den, v příloze posílám zprávu o stavu projektu. S pozdravem.",
};

constexpr std::array<std::string_view, 6> kDotLines = {
    ".NET 8 migration notes are below.",
    "...",
    ". Please note the new deadline.",
    ".htaccess was updated on the staging server.",
    "..and that is all for now.",
    ".",
};

constexpr std::array<std::string_view, 8> kGreetings = {"Hi,", "Hello,", "Dear colleagues,", "Hi all,",
                                                         "Good morning,", "Hello team,", "Dear Sir or Madam,",
                                                         "Hey,"};
constexpr std::array<std::string_view, 7> kSignoffs = {"Best regards,", "Thanks,", "Kind regards,", "Cheers,",
                                                        "Best,", "Regards,", "Thank you,"};

constexpr std::array<MailProgram, 12> kPrograms = {{
    {"X-Mailer", "Microsoft Outlook 16.0"},
    {"X-Mailer", "Apple Mail (2.3774.300.61.1.2)"},
    {"X-Mailer", "iPhone Mail (21B91)"},
    {"X-Mailer", "Microsoft Outlook 15.0"},
    {"X-Mailer", "PHPMailer 6.8.1"},
    {"X-Mailer", "Zimbra 9.0.0_GA_4546 (ZimbraWebClient - GC119 (Win)/9.0.0_GA_4546)"},
    {"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0"},
    {"User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Thunderbird/102.15.1"},
    {"User-Agent", "Roundcube Webmail/1.6.5"},
    {"User-Agent", "Mutt/2.2.12 (2023-09-09)"},
    {"User-Agent", "Evolution 3.50.2"},
    {"User-Agent", "NeoMutt/20231103"},
}};

constexpr std::array<FileKind, 7> kFileKinds = {{
    {"pdf", "application/pdf"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"zip", "application/zip"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"pdf", "application/pdf"},  // the most common attachment, twice
}};

constexpr std::array<std::string_view, 16> kFileStems = {
    "invoice_2023-11", "Q3_report",   "meeting_notes", "scan0042",      "contract_draft_v3", "budget",
    "IMG_4821",        "screenshot",  "presentation",  "server_logs",   "timesheet",         "price_list",
    "org_chart",       "NDA_signed",  "photos",        "project-plan",
};

constexpr std::array<std::string_view, 6> kForeignFileStems = {"Счёт_1187", "見積書", "报告",
                                                                "Rechnungsübersicht", "Προσφορά", "회의록"};

constexpr std::array<std::string_view, 8> kWorkstationPrefixes = {"ws", "laptop", "desktop", "pc",
                                                                   "mbp", "lt", "vdi", "kiosk"};

}  // namespace

std::string_view org_domain(Rng &rng) { return kDomains[rng.below(kDomains.size())]; }

Mailbox person(Rng &rng, std::string_view domain) {
    Mailbox m;
    std::string local;
    const uint64_t kind = rng.below(100);
    if (kind < 8) {
        local = kRoles[rng.below(kRoles.size())];
    } else {
        const Name &n = kind < 78 ? kLatinNames[rng.below(kLatinNames.size())]
                                  : kOtherScriptNames[rng.below(kOtherScriptNames.size())];
        m.display = n.display;
        local = n.local;
        if (rng.chance(0.2)) local += std::to_string(rng.between(1, 99));
    }
    m.address = local + "@" + std::string(domain);
    return m;
}

std::string server_host(Rng &rng, std::string_view role, std::string_view domain) {
    std::string h(role);
    if (rng.chance(0.4)) h += std::to_string(rng.between(1, 4));
    return h + "." + std::string(domain);
}

std::string client_helo(Rng &rng) {
    if (rng.chance(0.15)) return "[" + doc_ip(rng, false) + "]";
    const std::string_view prefix = kWorkstationPrefixes[rng.below(kWorkstationPrefixes.size())];
    const std::string_view domain = org_domain(rng);
    return std::string(prefix) + "-" + std::to_string(rng.between(1, 4999)) + "." + std::string(domain);
}

std::string doc_ip(Rng &rng, bool v6) {
    char buf[48];
    // One draw per statement: argument evaluation order is unspecified.
    if (v6) {
        const auto net = static_cast<unsigned>(rng.between(1, 0xffff));
        const auto host = static_cast<unsigned>(rng.between(1, 0xffff));
        std::snprintf(buf, sizeof buf, "2001:db8:%x::%x", net, host);
    } else {
        static constexpr const char *kNets[] = {"192.0.2", "198.51.100", "203.0.113"};
        const char *net = kNets[rng.below(3)];
        const auto host = static_cast<unsigned>(rng.between(1, 254));
        std::snprintf(buf, sizeof buf, "%s.%u", net, host);
    }
    return buf;
}

std::string_view subject(Rng &rng) { return kSubjects[rng.below(kSubjects.size())]; }
std::span<const std::string_view> sentences() { return kSentences; }
std::span<const std::string_view> foreign_paragraphs() { return kForeignParagraphs; }
std::span<const std::string_view> dot_lines() { return kDotLines; }
std::string_view greeting_line(Rng &rng) { return kGreetings[rng.below(kGreetings.size())]; }
std::string_view signoff_line(Rng &rng) { return kSignoffs[rng.below(kSignoffs.size())]; }
const MailProgram &mail_program(Rng &rng) { return kPrograms[rng.below(kPrograms.size())]; }
std::span<const FileKind> file_kinds() { return kFileKinds; }
std::string_view file_stem(Rng &rng) { return kFileStems[rng.below(kFileStems.size())]; }
std::string_view foreign_file_stem(Rng &rng) { return kForeignFileStems[rng.below(kForeignFileStems.size())]; }

std::string password(Rng &rng) {
    static constexpr std::string_view kChars =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#$%&*+-.=?@^_~";
    std::string p(rng.between(8, 16), ' ');
    for (auto &c : p) c = kChars[rng.below(kChars.size())];
    return p;
}

}  // namespace postern::synth::mail
