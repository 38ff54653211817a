//! The cue words the rules key on, one table per knowledge category, in English, German,
//! French, Spanish, Portuguese and Italian, and for rejections also in Chinese, Japanese,
//! Korean and Russian ([`WIDE_LANGS`]). Kept as data (name, languages, where it may be
//! used, weight, pattern, example) so one test can keep the tables consistent: every
//! example must fire its own cue, names are unique, every language is covered where a
//! rule needs it. The names end up in [`crate::Candidate::cues`], so `sk show --why` can
//! say which words made an entry.
//!
//! Patterns are matched against one sentence or summary item after [`fold`] (ASCII lower
//! case, accents removed: "décidé" reads "decide"), so they are written in that folded
//! form, and `^` means "at the start of the sentence". Folding keeps the matcher on the
//! regex crate's fast automata: Unicode word boundaries on non-ASCII text would fall back
//! to a matcher hundreds of times slower. Examples stay in their real spelling. The cues of
//! [`WIDE_LANGS`] are matched on the sentence in lower case instead, and only when it has
//! letters outside ASCII.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use sk_core::Category;

pub use crate::text::fold;

/// Which rule may use a cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Use {
    /// Classifying the items of compaction and task summaries.
    Summary,
    /// A human prompt rejecting what the agent just did (a `mistake`).
    Reject,
    /// A standing rule, how things are done here (a `pattern`).
    Rule,
    /// An explicit decision statement (a `decision`).
    Decide,
}

/// One cue: a named pattern with a weight. Scores add up per category.
#[derive(Debug)]
pub struct Cue {
    /// `category.lang.word`, shown in `Candidate::cues`.
    pub name: &'static str,
    /// ISO 639-1 codes of the languages the pattern covers.
    pub langs: &'static [&'static str],
    pub uses: &'static [Use],
    /// 1: weak (needs company), 2: strong, 3: decisive on its own even where the rule
    /// asks for more than a single strong cue.
    pub weight: u8,
    pub pattern: &'static str,
    /// Cancels the cue when this also matches (idioms such as "immer noch" = "still").
    pub unless: &'static str,
    /// A sentence the cue must fire on (checked by the consistency test).
    pub example: &'static str,
}

const fn cue(
    name: &'static str,
    langs: &'static [&'static str],
    uses: &'static [Use],
    weight: u8,
    pattern: &'static str,
    example: &'static str,
) -> Cue {
    Cue {
        name,
        langs,
        uses,
        weight,
        pattern,
        unless: "",
        example,
    }
}

const EN: &[&str] = &["en"];
const DE: &[&str] = &["de"];
const FR: &[&str] = &["fr"];
const ES: &[&str] = &["es"];
const PT: &[&str] = &["pt"];
const IT: &[&str] = &["it"];
const ZH: &[&str] = &["zh"];
const JA: &[&str] = &["ja"];
const KO: &[&str] = &["ko"];
const RU: &[&str] = &["ru"];

/// Languages whose cues are matched on the sentence in lower case rather than [`fold`]ed
/// (folding keeps only Latin letters). Their patterns use no `\b`: Chinese and Japanese
/// put no spaces between words, and the regex crate's ASCII word boundary would not see
/// Cyrillic or Hangul words.
pub const WIDE_LANGS: [&str; 4] = ["zh", "ja", "ko", "ru"];

const S: &[Use] = &[Use::Summary];
const J: &[Use] = &[Use::Reject];
const SR: &[Use] = &[Use::Summary, Use::Rule];
const SD: &[Use] = &[Use::Summary, Use::Decide];

/// A bug report is a statement: a question ("why does it not start?") asks for a
/// diagnosis, and "don't show X" / "nicht anzeigen" is an order the prohibition cues read.
/// A macro so that cues can extend it with `concat!`.
macro_rules! question_or_order {
    () => {
        r"\?\s*$|^(?:please,? )?(?:don'?t|do not|never|nicht|ne |n'|no (?:hagas|uses|muestres)|nao (?:mostre|use|faca)|non (?:mostrare|usare|fare))\b"
    };
}
const QUESTION_OR_ORDER: &str = question_or_order!();

/// Something went wrong (summaries) or the user rejected what the agent did (prompts).
#[rustfmt::skip]
pub static MISTAKE: &[Cue] = &[
    cue("mistake.en.fixed", EN, S, 2, r"\bfix(?:ed|es|ing)?\b", "Fixed the off-by-one in the pager"),
    cue("mistake.en.bug", EN, S, 2, r"\bbugs?\b", "The bug was a stale cache entry in the loader"),
    cue("mistake.en.root_cause", EN, S, 2, r"\broot[- ]cause\b", "Root cause: the config was read before the env was set"),
    cue("mistake.en.regression", EN, S, 2, r"\bregress(?:ion|ions|ed)\b", "The upgrade caused a regression in startup time"),
    cue("mistake.en.broke", EN, S, 2, r"\b(?:broke|broken|breaks)\b", "The rename broke the import in main.rs"),
    cue("mistake.en.failed", EN, S, 2, r"\bfail(?:ed|ing|ure|ures|s)?\b", "The migration failed on an empty database"),
    cue("mistake.en.crash", EN, S, 2, r"\bcrash(?:ed|es|ing)?\b|\bpanic(?:ked|s)?\b", "The watcher crashed on a deleted file"),
    cue("mistake.en.error", EN, S, 1, r"\berrors?\b", "Got an error from the API"),
    cue("mistake.en.wrong", EN, S, 1, r"\b(?:wrong|incorrect(?:ly)?)\b", "The path was wrong"),
    cue("mistake.en.workaround", EN, S, 2, r"\bwork(?:ed)?[- ]?around\b", "Worked around the lock timeout by retrying"),
    cue("mistake.en.mistake", EN, S, 2, r"\bmistakes?\b", "It was a mistake to cache the token globally"),
    cue("mistake.de.behoben", DE, S, 2, r"\b(?:behoben|gefixt|korrigiert)\b", "Den Absturz beim Start behoben"),
    cue("mistake.de.fehlgeschlagen", DE, S, 2, r"\b(?:fehlgeschlagen|schlug fehl|kaputt)\b", "Der Build ist fehlgeschlagen"),
    cue("mistake.de.fehler", DE, S, 1, r"\bfehler\b", "Ein Fehler im Parser"),
    cue("mistake.fr.corrige", FR, S, 2, r"\bcorrig(?:e|ee|es|er)\b", "Bogue corrigé dans le cache"),
    cue("mistake.fr.echec", FR, S, 2, r"\b(?:echou(?:e|ait)|echec|plant(?:e|ait))\b", "La compilation a échoué sur macOS"),
    cue("mistake.fr.erreur", FR, S, 1, r"\berreurs?\b", "Une erreur dans le parseur"),
    cue("mistake.es.corregido", ES, S, 2, r"\b(?:corregid[oa]s?|arreglad[oa]s?)\b", "Error corregido en el cargador"),
    cue("mistake.es.fallo", ES, S, 2, r"\b(?:fallo|fallaba)\b", "La prueba falló en CI"),
    cue("mistake.pt.corrigido", PT, S, 2, r"\bcorrigid[oa]s?\b", "Bug corrigido no carregador"),
    cue("mistake.pt.falhou", PT, S, 2, r"\bfalh(?:ou|ava)\b", "O teste falhou no CI"),
    cue("mistake.pt.erro", PT, S, 1, r"\berros?\b", "Um erro no parser"),
    cue("mistake.it.risolto", IT, S, 2, r"\b(?:risolt[oaie]|sistemat[oaie])\b", "Risolto il crash all'avvio"),
    cue("mistake.it.fallito", IT, S, 2, r"\b(?:fallit[oaie]|non funzionava)\b", "Il test è fallito in CI"),
    cue("mistake.it.errore", IT, S, 1, r"\berror[ei]\b", "Un errore nel parser"),
    // Rejections in a human prompt. Bare "no" is shared by English, Spanish and Italian.
    Cue { unless: r"^no,? (?:problem|worries|need|rush|thanks|thank|hurry)\b|^no,? (?:that'?s|it'?s|looks|this is) (?:fine|good|ok|okay|great|perfect|correct|right)\b", ..cue("mistake.en.no", &["en", "es", "it"], J, 2, r"^(?:no|nope|wrong)\b", "No, use the other config file") },
    cue("mistake.en.thats_wrong", EN, J, 2, r"\b(?:that'?s|that is|this is|it'?s) (?:not right|wrong|incorrect|not what i)", "That's wrong, the port is 8080"),
    cue("mistake.en.you_broke", EN, J, 2, r"\byou(?:'ve| have)? (?:broke|broken)\b", "You broke the login test"),
    // "Commit each step in case I want to roll back" plans ahead; it rejects nothing.
    Cue { unless: r"\bin case\b|\bif (?:i|we|you|it|needed|necessary)\b|\b(?:able|easy|possible|want|wants|need|needs) to (?:revert|undo|roll ?back)\b|\bso (?:i|we|you) can (?:revert|undo|roll ?back)\b", ..cue("mistake.en.revert", EN, J, 2, r"\b(?:revert|undo|roll ?back)\b", "Revert the change to the schema") },
    cue("mistake.en.why_did_you", EN, J, 2, r"\bwhy (?:did|would) you\b", "Why did you delete the fixtures?"),
    cue("mistake.en.not_like_that", EN, J, 2, r"\bnot like (?:that|this)\b", "Not like that, keep the old signature"),
    cue("mistake.en.dont", EN, J, 2, r"^(?:(?:also|and|but|so|ok|okay|oh|well),? )*(?:please,? )?(?:don'?t|do not)\b", "Also, please don't touch the generated files"),
    cue("mistake.en.stop", EN, J, 2, r"^(?:(?:also|and|but|so|ok|okay|oh|well),? )*(?:please,? )?stop\b", "Stop editing the lockfile"),
    // "instead" closing a clause rejects; "instead of X" only compares (often a decision).
    cue("mistake.en.instead", EN, J, 2, r"\binstead\s*(?:[.,!;:]|$)|^instead\b", "Use the builder instead."),
    cue("mistake.de.nein", DE, J, 2, r"^nein\b", "Nein, das andere Verzeichnis"),
    cue("mistake.de.falsch", DE, J, 2, r"\bfalsch\b", "Das ist falsch, der Port ist 8080"),
    cue("mistake.de.nicht_so", DE, J, 2, r"\bnicht so\b", "Nicht so, bitte die alte Signatur behalten"),
    cue("mistake.de.rueckgaengig", DE, J, 2, r"\bruckgangig\b", "Mach die Änderung rückgängig"),
    cue("mistake.de.hoer_auf", DE, J, 2, r"\bhor auf\b|^stopp?\b", "Hör auf, die Lockdatei zu ändern"),
    cue("mistake.de.warum", DE, J, 2, r"\bwarum hast du\b", "Warum hast du die Tests gelöscht?"),
    cue("mistake.de.stattdessen", DE, J, 2, r"\b(?:stattdessen|statt dessen)\b", "Benutze stattdessen den Builder"),
    cue("mistake.de.nicht", DE, J, 2, r"^(?:bitte )?(?:nicht|kein(?:e|en)?)\b", "Nicht die generierten Dateien anfassen"),
    cue("mistake.de.kaputt", DE, J, 2, r"\b(?:du hast|hast du)\b.{0,40}\bkaputt", "Du hast den Login-Test kaputt gemacht"),
    cue("mistake.fr.non", FR, J, 2, r"^non\b", "Non, l'autre fichier de config"),
    cue("mistake.fr.faux", FR, J, 2, r"\bc'est (?:faux|incorrect|pas (?:ca|correct|bon))", "C'est faux, le port est 8080"),
    cue("mistake.fr.pas_comme_ca", FR, J, 2, r"\bpas comme ca\b", "Pas comme ça, garde l'ancienne signature"),
    cue("mistake.fr.annule", FR, J, 2, r"\b(?:annule|annuler|reviens en arriere)\b", "Annule le changement du schéma"),
    cue("mistake.fr.arrete", FR, J, 2, r"\barrete\b", "Arrête de modifier le lockfile"),
    cue("mistake.fr.pourquoi", FR, J, 2, r"\bpourquoi (?:as-tu|tu as|avez-vous)\b", "Pourquoi as-tu supprimé les tests ?"),
    Cue { unless: r"\bplutot qu(?:e\b|')", ..cue("mistake.fr.plutot", FR, J, 2, r"\bplutot\b", "Utilise plutôt le builder") },
    cue("mistake.fr.ne_pas", FR, J, 2, r"^(?:ne |n')\S+ (?:pas|jamais)\b", "Ne touche pas aux fichiers générés"),
    cue("mistake.fr.casse", FR, J, 2, r"\btu as casse\b", "Tu as cassé le test de connexion"),
    cue("mistake.es.mal", ES, J, 2, r"\b(?:esta|es) (?:mal|incorrecto)\b", "Eso está mal, el puerto es 8080"),
    cue("mistake.es.asi_no", ES, J, 2, r"\basi no\b", "Así no, mantén la firma anterior"),
    cue("mistake.es.deshaz", ES, J, 2, r"\b(?:deshaz|deshacer|revierte)\b", "Deshaz el cambio del esquema"),
    cue("mistake.es.por_que", ES, J, 2, r"\bpor que (?:has|hiciste)\b", "¿Por qué hiciste eso con los tests?"),
    cue("mistake.es.en_lugar", ES, J, 2, r"\ben (?:lugar|vez) de\b", "Usa el builder en lugar de eso"),
    cue("mistake.es.no_hagas", ES, J, 2, r"^no (?:hagas|toques|uses|cambies|borres)\b", "No toques los archivos generados"),
    cue("mistake.es.rompiste", ES, J, 2, r"\b(?:rompiste|has roto)\b", "Rompiste el test de login"),
    Cue { unless: r"^nao (?:precisa|tem problema|faz mal)\b", ..cue("mistake.pt.nao", PT, J, 2, r"^nao\b", "Não, o outro arquivo de configuração") },
    cue("mistake.pt.errado", PT, J, 2, r"\b(?:esta|isso esta|isto esta) errado\b", "Isso está errado, a porta é 8080"),
    cue("mistake.pt.assim_nao", PT, J, 2, r"\bassim nao\b", "Assim não, mantenha a assinatura antiga"),
    cue("mistake.pt.desfaz", PT, J, 2, r"\b(?:desfaz|desfaca|reverta)\b", "Desfaça a mudança no esquema"),
    cue("mistake.pt.por_que", PT, J, 2, r"\bpor que voce\b", "Por que você apagou os testes?"),
    cue("mistake.pt.em_vez", PT, J, 2, r"\bem vez de\b|\bao inves de\b", "Use o builder em vez disso, em vez de npm"),
    cue("mistake.pt.quebrou", PT, J, 2, r"\bvoce quebrou\b", "Você quebrou o teste de login"),
    cue("mistake.it.sbagliato", IT, J, 2, r"\bsbagliat[oa]\b", "È sbagliato, la porta è 8080"),
    cue("mistake.it.non_cosi", IT, J, 2, r"\bnon cosi\b", "Non così, mantieni la vecchia firma"),
    cue("mistake.it.annulla", IT, J, 2, r"\b(?:annulla|ripristina)\b", "Annulla la modifica allo schema"),
    cue("mistake.it.perche_hai", IT, J, 2, r"\bperche hai\b", "Perché hai cancellato i test?"),
    Cue { unless: r"\binvece di\b", ..cue("mistake.it.invece", IT, J, 2, r"\binvece\b", "Usa invece il builder") },
    cue("mistake.it.non_fare", IT, J, 2, r"^non (?:fare|toccare|usare|modificare|cancellare)\b", "Non toccare i file generati"),
    cue("mistake.it.hai_rotto", IT, J, 2, r"\bhai rotto\b", "Hai rotto il test di login"),
    // Bug reports on what the agent just did: it does not work, is still failing, is gone;
    // and what the user wanted instead ("I wanted", "you forgot"). Never in a question
    // ("why does it not start?" asks, it does not report), and "don't show X" is an order.
    Cue { unless: concat!(question_or_order!(), r"|\bstill (?:not )?sure\b|\bstill (?:want|need|like|prefer|think|have to|working on)\b"), ..cue("mistake.en.still_failing", EN, J, 2, r"\bstill\s+(?:\w+\s+){0,2}?(?:fail\w*|broken|wrong|crash\w*|errors?|not\b|doesn'?t|does not|don'?t|isn'?t|won'?t|can'?t|cannot|didn'?t|the same|happen\w*|shows?|showing|seeing|see|getting|missing|buggy|a bug|an? (?:issue|problem|error))|\bthere (?:is|are|'s) still (?:a |an |some )?(?:bugs?|problems?|issues?|errors?)\b|\bsame (?:error|problem|issue|bug)\b", "CI seems to still fail on Windows") },
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.en.doesnt_work", EN, J, 2, r"\b(?:doesn'?t|does not|didn'?t|did not|isn'?t|is not|aren'?t|are not|won'?t|will not|wont|can'?t|cannot|can not|couldn'?t|could not)\s+(?:seem to\s+|even\s+|really\s+|actually\s+|properly\s+)?(?:work|working|show|shown|showing|appear|render|rendered|display|displayed|load|open|start|restart|run|compile|build|link|update|change|save|respond|connect|exist|fit|scroll|close|launch|trigger|resolve|visible|clickable|aligned|centered|centred|responsive|readable|see|find)\b|\bnot (?:working|rendering|showing|loading|displaying|visible|clickable|responsive)\b", "The readme lists the docs but doesn't link to them") },
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.en.gone", EN, J, 2, r"\b(?:is|are|was|were|got|went|now|still)\s+(?:now\s+|still\s+|completely\s+|totally\s+|all\s+)?(?:gone|missing|lost|broken|empty|blank|invisible|cut off|truncated|duplicated|misaligned|unreadable|overlapping)\b|\b(?:white|black) on (?:white|black)\b", "The legend is gone after the last change") },
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.en.is_wrong", EN, J, 2, r"\b(?:is|are|was|were|looks?|seems?|still|gives?|shows?|showing|returns?|used|using|got) (?:\w+ )?wrong\b|\byou(?:'ve| have)? (?:\w+ ){1,2}?the wrong\b|\bnot (?:an option|possible here|what i (?:asked|wanted|meant|said))\b|\bdoes(?:n'?t| not) exist\b", "That checkbox is not an option on this version") },
    cue("mistake.en.i_wanted", EN, J, 2, r"\bi (?:don'?t|do not|didn'?t|did not|dont) (?:want|need|ask)\b|\bi (?:wanted|meant|asked for|asked you|was asking)\b|\bwhat i (?:wanted|meant|asked)\b|\byou (?:forgot|missed|ignored|skipped|overlooked|left out|never)\b", "I don't want a prompt in the console, I want the login screen"),
    // The user's expectation against what the agent assumed: "I thought that should set it up".
    // "I thought we could add X" proposes the next step; it corrects nothing.
    Cue { unless: r"\b(?:nice|good|better|cool|great|fun|easier|simpler|useful|helpful)\b|\bi thought(?: that)? we (?:could|can|might)\b", ..cue("mistake.en.i_thought", EN, J, 2, r"\bi (?:thought|assumed|expected)(?: that)? (?:it|this|that|there|these|those|the \w+|my \w+|we|you) (?:should|would|was|were|is|are|did|had|has|will|could)\b", "I have a ~/fzf folder, I thought that should set it up") },
    // "X, not Y": the user puts the right thing next to the wrong one.
    Cue { unless: r"\bnot (?:only|just|sure|yet|necessarily|too|much|many|all|bad|really|that|even|always|now|needed|required|important|urgent|mandatory)\b|\?\s*$", ..cue("mistake.en.not_but", EN, J, 2, r"(?:,|\(|--|-)\s*not\s+(?:the\s+|a\s+|an\s+)?[\w`'\x22?=./-]+", "The router is version 4, not 3") },
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.de.geht_nicht", DE, J, 2, r"\b(?:funktioniert|klappt|geht|lauft|startet|offnet|ladt|kompiliert|erscheint)\s+(?:\w+\s+){0,2}?(?:nicht|nie|kaum)\b|\b(?:immer noch|noch immer|weiterhin)\s+(?:\w+\s+){0,2}?(?:kaputt|falsch|nicht|fehler\w*|derselbe|dasselbe|das gleiche)\b|\b(?:ist|sind|wird|werden)\s+(?:jetzt\s+|nun\s+|immer noch\s+)?(?:weg|verschwunden|leer|unsichtbar|nicht (?:sichtbar|angezeigt))\b", "Der Button funktioniert immer noch nicht") },
    cue("mistake.de.ich_wollte", DE, J, 2, r"\bich wollte\b.{0,120}\b(?:nicht|sondern|stattdessen|kein\w*)\b|\bich (?:meinte|will (?:das |es )?nicht|mochte (?:das |es )?nicht|habe (?:doch )?(?:gesagt|gemeint|gebeten))\b|\bdas (?:wollte|meinte) ich nicht\b|\b(?:du hast|hast du) (?:\w+ )?(?:vergessen|ubersehen|ignoriert)\b", "Ich wollte die Tabelle oben, nicht unten"),
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.fr.marche_pas", FR, J, 2, r"\b(?:marche|fonctionne|s'affiche|apparait|charge|demarre|compile|s'ouvre|s'installe)\s+(?:toujours\s+|plus\s+|meme\s+)?(?:pas|plus)\b|\btoujours (?:pas|le meme|la meme|une erreur|des erreurs|en erreur|casse)\b|\b(?:est|sont) (?:toujours |maintenant )?(?:invisible|vide|casse|cassee|manquant|manquante|parti|partie)s?\b", "C'est le serveur Linear qui n'apparaît pas") },
    cue("mistake.fr.je_voulais", FR, J, 2, r"\bje voulais\b.{0,120}\b(?:pas|non|plutot|mais|au lieu)\b|\bje (?:ne veux pas|veux pas|n'ai pas demande|t'ai demande|parlais)\b|\btu as (?:oublie|ignore|rate)\b|\bce n'est pas ce que\b", "Je voulais le tableau en haut, pas en bas"),
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.es.no_funciona", ES, J, 2, r"\bno (?:funciona|sirve|aparece|se ve|se muestra|carga|compila|arranca|abre|anda)\b|\bsigue (?:sin|fallando|igual|dando|mal|apareciendo)\b|\btodavia (?:no (?:funciona|sirve|aparece|se ve|se muestra|carga|compila|arranca|abre|anda)|falla)\b|\b(?:esta|estan) (?:vacio|vacia|roto|rota|invisible)s?\b", "El botón sigue sin funcionar") },
    Cue { unless: r"\beu queria\b", ..cue("mistake.es.queria", ES, J, 2, r"\b(?:yo )?queria\b.{0,120}\b(?:no|sino|en (?:vez|lugar) de)\b|\b(?:yo )?(?:no quiero|me referia|te pedi|te dije)\b|\b(?:te )?olvidaste\b", "Yo quería la tabla arriba, no abajo") },
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.pt.nao_funciona", PT, J, 2, r"\bnao (?:funciona|aparece|carrega|compila|abre|mostra|esta funcionando)\b|\bcontinua (?:sem|falhando|igual|dando|com erro)\b|\bainda (?:nao (?:funciona|aparece|carrega|compila|abre|mostra|esta funcionando)|falha|esta (?:errado|quebrado))\b", "O botão ainda não funciona") },
    cue("mistake.pt.eu_queria", PT, J, 2, r"\beu queria\b.{0,120}\b(?:nao|mas|em vez de|ao inves de)\b|\beu (?:nao quero|quis dizer|pedi|disse)\b|\bvoce esqueceu\b", "Eu queria a tabela em cima, não embaixo"),
    Cue { unless: QUESTION_OR_ORDER, ..cue("mistake.it.non_funziona", IT, J, 2, r"\bnon (?:funziona|appare|si vede|compila|parte|carica|si apre|viene mostrat[oa])\b|\bancora (?:non (?:funziona|appare|si vede|compila|parte|carica|si apre|va)|errore|rotto|sbagliato)\b|\bcontinua a (?:fallire|dare)\b", "Il pulsante ancora non funziona") },
    cue("mistake.it.volevo", IT, J, 2, r"\bvolevo\b.{0,120}\b(?:non|ma|invece)\b|\b(?:non voglio|intendevo|ti avevo chiesto)\b|\bhai dimenticato\b", "Volevo la tabella in alto, non in basso"),
    // Chinese, Japanese, Korean and Russian (see WIDE_LANGS): matched on the lower-cased
    // sentence. A question ("有问题吗？") asks; it reports nothing. Negated, a bug report
    // says all is well ("没有问题"); 别的 is "other", 違う before a noun "different", and
    // "неверный пароль" is the adjective of a task, as "the wrong password" is in English.
    cue("mistake.zh.wrong", ZH, J, 2, r"不对|错了|不正确|搞错|弄错", "这个不对，端口是8080"),
    Cue { unless: WIDE_QUESTION, ..cue("mistake.zh.bug", ZH, J, 2, r"(?:^|[^没不])(?:有|还有|仍有|还是有|存在)(?:个|一个|一些)?(?:bug|问题|错误)|出错了|报错了", "现在还是有bug") },
    Cue { unless: WIDE_QUESTION, ..cue("mistake.zh.doesnt_work", ZH, J, 2, r"不(?:起作用|生效|工作|能用|显示|管用)|没(?:有)?(?:生效|反应|显示出来|效果)|无法(?:运行|启动|打开|显示|使用)|(?:还是|仍然|依然)(?:不|没)", "按钮还是不能用") },
    cue("mistake.zh.unneeded", ZH, J, 2, r"没(?:有)?必要|不需要(?:这|那|再)|(?:是|太|有点|有些)多余", "实际上没有必要接受别名，可以去除相关逻辑"),
    cue("mistake.zh.dont", ZH, J, 2, r"^(?:请)?(?:不要|别[^人的处])", "不要修改生成的文件"),
    cue("mistake.zh.revert", ZH, J, 2, r"撤销|回滚|还原|改回", "把这个改动撤销"),
    cue("mistake.ja.wrong", JA, J, 2, r"違います|違う(?:[よねっ。！!、,]|$)|間違(?:い|って|え)", "それは違います、ポートは8080です"),
    Cue { unless: WIDE_QUESTION, ..cue("mistake.ja.doesnt_work", JA, J, 2, r"動かない|動きません|表示されない|表示されません|機能しない|機能しません|(?:まだ|依然として).{0,12}(?:エラー|失敗|動か|表示され)", "ボタンがまだ動かない") },
    cue("mistake.ja.dont", JA, J, 2, r"しないで(?:ください)?|やめて", "生成ファイルは変更しないでください"),
    cue("mistake.ja.revert", JA, J, 2, r"元に戻して|戻してください", "その変更を元に戻して"),
    cue("mistake.ko.wrong", KO, J, 2, r"잘못(?:된|됐|되었|했|하고|되어)|틀렸|틀린", "잘못된 결과를 보여줬어"),
    Cue { unless: WIDE_QUESTION, ..cue("mistake.ko.bug", KO, J, 2, r"버그가\s*(?:있|생|발생|남아)", "아직 버그가 있다.") },
    Cue { unless: WIDE_QUESTION, ..cue("mistake.ko.problem", KO, J, 2, r"(?:문제가|이상한\s*점이|오류가|에러가)\s*(?:있(?:[^지]|$)|생(?:겼|겨|긴|기(?:[^지]|$))|발생(?:했|합|해|한|함|하(?:[^지]|$))|났|나(?:[^지]|$))", "지금까지 수정에서 이상한점이 있다.") },
    Cue { unless: WIDE_QUESTION, ..cue("mistake.ko.doesnt_work", KO, J, 2, r"(?:작동|동작|실행|표시)(?:하지|되지|이 되지)\s*않|안\s*(?:돼|된다|됩니다|되네|보여|나와|열려)", "버튼이 작동하지 않는다") },
    cue("mistake.ko.revert", KO, J, 2, r"되돌려|원래대로|롤백", "변경을 되돌려 줘"),
    cue("mistake.ru.wrong", RU, J, 2, r"это (?:неправильн|неверн)|(?:^|[^а-яё])(?:неправильн[оаы]|неверн[оаы]|неправилен|неверен)(?:[^а-яё]|$)|это не то|не то,? что (?:я|нужно)", "Это неправильно, порт 8080"),
    Cue { unless: WIDE_QUESTION, ..cue("mistake.ru.doesnt_work", RU, J, 2, r"не (?:работает|запускается|отображается|открывается|компилируется|собирается|грузится)|(?:всё|все) ещё (?:не|ошибк)|до сих пор (?:не|ошибк)|по-прежнему (?:не|ошибк)", "Кнопка всё ещё не работает") },
    cue("mistake.ru.no", RU, J, 2, r"^нет[,.!]", "Нет, используй другой файл"),
    cue("mistake.ru.dont", RU, J, 2, r"^(?:пожалуйста,? )?не (?:надо|нужно|трогай|меняй|используй|удаляй)", "Не трогай сгенерированные файлы"),
    cue("mistake.ru.revert", RU, J, 2, r"откати|верни (?:как было|обратно)|отмени (?:изменени|это)", "Откати изменения в схеме"),
];

/// A question in the scripts of [`WIDE_LANGS`]: "有问题吗？", "문제가 있나요?".
const WIDE_QUESTION: &str = r"[?？]\s*$|吗\s*$|까\s*$";

/// How things are done here: conventions and standing rules.
#[rustfmt::skip]
pub static PATTERN: &[Cue] = &[
    Cue { unless: r"^never ?mind\b|^always (?:happy|glad)\b", ..cue("pattern.en.always_first", EN, SR, 2, r"^(?:please,? )?(?:always|never)\s+\w+", "Always run the formatter before committing") },
    cue("pattern.en.we_always", EN, SR, 2, r"\b(?:we|you|one)\s+(?:should\s+|must\s+)?(?:always|never)\b", "We always pin the toolchain"),
    cue("pattern.en.always_verb", EN, SR, 2, r"\b(?:always|never)\s+(?:run|use|call|commit|push|add|keep|put|write|check|test|prefer|avoid|do|make|edit|modify|touch|delete|remove|import|rebase|merge|format|build|start|update|pin|set|pass|return|log|wrap|store|read|create|open|close|lock|escape|validate|go)\b", "Migrations should never touch user data"),
    cue("pattern.en.convention", &["en", "fr"], SR, 2, r"\bconventions?\b", "The convention here is snake_case file names"),
    cue("pattern.en.we_use_here", EN, SR, 2, r"\b(?:we|i) (?:use|prefer|require)\b.{0,60}\b(?:here|in this (?:repo|project|codebase|crate|team))\b|\b(?:in this|in our) (?:repo|project|codebase|team),? we\b", "We use pnpm in this repo"),
    cue("pattern.en.from_now_on", EN, SR, 2, r"\bfrom now on\b|\bgoing forward\b", "From now on, put fixtures under tests/data"),
    cue("pattern.en.as_a_rule", EN, SR, 2, r"\bas a rule\b|\bthe rule is\b|\brule of thumb\b", "As a rule, keep modules under 800 lines"),
    cue("pattern.en.make_sure", EN, SR, 1, r"\bmake sure (?:to|you|that)\b", "Make sure to update the changelog"),
    cue("pattern.en.must", EN, SR, 1, r"\bmust(?:n'?t| not)?\b", "Handlers must not block"),
    cue("pattern.en.should", EN, S, 1, r"\bshould(?:n'?t| not)?\b", "Tests should use temp dirs"),
    cue("pattern.en.prefer", EN, SR, 1, r"\bprefer(?:red|s)?\b", "Prefer borrowing over cloning"),
    Cue { unless: r"\b(?:immer noch|noch immer|wie immer|fur immer|immer wieder|immer mehr)\b", ..cue("pattern.de.immer", DE, SR, 2, r"\b(?:immer|stets|niemals)\b", "Wir formatieren immer vor dem Commit") },
    cue("pattern.de.wir_verwenden", DE, SR, 2, r"\bwir (?:verwenden|nutzen|benutzen|nehmen)\b", "Wir verwenden pnpm, nicht npm"),
    cue("pattern.de.ab_jetzt", DE, SR, 2, r"\b(?:ab jetzt|von nun an|ab sofort|kunftig)\b", "Ab jetzt bitte Tests unter tests/it"),
    cue("pattern.de.konvention", DE, SR, 2, r"\bkonvention(?:en)?\b", "Die Konvention hier ist snake_case"),
    cue("pattern.de.muss", DE, S, 1, r"\b(?:muss|mussen|sollte|sollten)\b", "Handler müssen schnell sein"),
    cue("pattern.fr.toujours", FR, SR, 2, r"\b(?:toujours|jamais)\b", "Toujours lancer le formateur avant de committer"),
    cue("pattern.fr.on_utilise", FR, SR, 2, r"\b(?:on utilise|nous utilisons|on se sert de)\b", "On utilise pnpm dans ce dépôt"),
    cue("pattern.fr.desormais", FR, SR, 2, r"\b(?:desormais|a partir de maintenant|dorenavant)\b", "Désormais, mets les fixtures dans tests/data"),
    cue("pattern.fr.il_faut", FR, S, 1, r"\bil faut\b|\bdoit\b", "Il faut garder les modules courts"),
    cue("pattern.es.siempre", &["es", "pt"], SR, 2, r"\b(?:siempre|nunca)\b", "Siempre ejecuta el formateador antes de hacer commit"),
    cue("pattern.es.usamos", &["es", "pt"], SR, 2, r"\b(?:usamos|utilizamos)\b", "Aquí usamos pnpm, no npm"),
    cue("pattern.es.a_partir", ES, SR, 2, r"\b(?:a partir de ahora|de ahora en adelante)\b", "A partir de ahora, los tests van en tests/it"),
    cue("pattern.es.convencion", ES, SR, 2, r"\bconvencion\b", "La convención aquí es snake_case"),
    cue("pattern.es.hay_que", ES, S, 1, r"\bhay que\b|\bdebe(?:s|mos|n)?\b", "Hay que mantener los módulos cortos"),
    cue("pattern.pt.sempre", &["pt", "it"], SR, 2, r"\bsempre\b", "Sempre rode o formatador antes do commit"),
    cue("pattern.pt.a_partir", PT, SR, 2, r"\ba partir de agora\b|\bdaqui (?:pra|para) frente\b", "A partir de agora, testes ficam em tests/it"),
    cue("pattern.pt.convencao", PT, SR, 2, r"\bconvencao\b", "A convenção aqui é snake_case"),
    cue("pattern.it.mai", IT, SR, 2, r"\bnon\b.{0,40}\bmai\b|^mai\b", "Non modificare mai i file generati"),
    cue("pattern.it.usiamo", IT, SR, 2, r"\b(?:usiamo|utilizziamo)\b", "Qui usiamo pnpm, non npm"),
    cue("pattern.it.dora_in_poi", IT, SR, 2, r"\b(?:d'ora in poi|da ora in poi|d'ora in avanti)\b", "D'ora in poi, i test vanno in tests/it"),
    cue("pattern.it.convenzione", IT, SR, 2, r"\bconvenzione\b", "La convenzione qui è snake_case"),
];

/// A choice that was made, ideally with its reason. Weight 3 marks an explicit decision;
/// the statement rule needs 3 in total, so a bare "chose" needs a reason next to it.
#[rustfmt::skip]
pub static DECISION: &[Cue] = &[
    cue("decision.en.decided", EN, SD, 3, r"\bdecided\b|\bdecision (?:is|was) to\b|\bthe decision\b", "We decided to keep SQLite"),
    cue("decision.en.go_with", EN, SD, 3, r"\b(?:let'?s|we(?:'ll| will)?|we'?re going to) go with\b|\bwent with\b|\bsettled on\b", "Let's go with the streaming parser"),
    cue("decision.en.chose", EN, SD, 2, r"\bch(?:ose|osen)\b", "Chose a BTreeMap for stable ordering"),
    cue("decision.en.lets_use", EN, SD, 2, r"\blet'?s (?:use|switch to|move to|stick with)\b", "Let's use dotenv so the keys stay out of git"),
    cue("decision.en.opted", EN, SD, 2, r"\bopt(?:ed|ing) (?:for|to|against)\b", "Opted for a single writer"),
    cue("decision.en.instead_of", EN, SD, 2, r"\binstead of\b|\brather than\b|\bin favou?r of\b", "Used a ring buffer instead of a Vec"),
    cue("decision.en.tradeoff", EN, SD, 2, r"\btrade-?offs?\b", "The trade-off is memory for speed"),
    cue("decision.en.because", EN, SD, 1, r"\bbecause\b|\bso that\b|\bso (?:we|you|it|they) (?:don'?t|do not|can|can'?t|never)\b|\bdue to\b|\bto avoid\b|\botherwise\b", "because readers must not block"),
    cue("decision.de.entschieden", DE, SD, 3, r"\b(?:entschieden|entscheidung|entschlossen)\b", "Wir haben uns für SQLite entschieden"),
    cue("decision.de.statt", DE, SD, 2, r"\b(?:statt|anstatt|stattdessen|lieber)\b", "Ein Ringpuffer statt eines Vec"),
    cue("decision.de.gewaehlt", DE, SD, 2, r"\b(?:gewahlt|ausgewahlt|wir nehmen)\b", "BTreeMap gewählt wegen der Ordnung"),
    cue("decision.de.weil", DE, SD, 1, r"\b(?:weil|damit)\b", "weil Leser nicht blockieren dürfen"),
    cue("decision.fr.decide", FR, SD, 3, r"\b(?:nous avons|on a|j'ai|avons) decide(?:e|s)?\b|\bdecide(?:e|s)? de\b|\bdecidons\b|\bla decision\b", "Nous avons décidé de garder SQLite"),
    cue("decision.fr.part_sur", FR, SD, 3, r"\b(?:on part sur|partons sur|on opte pour|opte pour)\b", "On part sur le parseur en streaming"),
    cue("decision.fr.choisi", FR, SD, 2, r"\bchoisi[se]?\b", "BTreeMap choisi pour l'ordre stable"),
    cue("decision.fr.plutot_que", FR, SD, 2, r"\bplutot qu(?:e\b|')|\bau lieu de\b", "Un tampon circulaire plutôt qu'un Vec"),
    cue("decision.fr.parce_que", FR, SD, 1, r"\bparce qu(?:e\b|')|\bafin de\b|\bpour eviter\b", "parce que les lecteurs ne doivent pas bloquer"),
    cue("decision.es.decidimos", &["es", "pt"], SD, 3, r"\bdecid(?:imos|ido|io)\b|\btomamos la decision\b", "Decidimos mantener SQLite"),
    cue("decision.es.vamos_con", &["es", "pt"], SD, 3, r"\b(?:vamos con|nos quedamos con|optamos por)\b", "Vamos con el parser en streaming"),
    cue("decision.es.elegimos", ES, SD, 2, r"\b(?:elegimos|escogimos|elegid[oa])\b", "Elegimos BTreeMap por el orden estable"),
    cue("decision.es.en_lugar", ES, SD, 2, r"\ben (?:lugar|vez) de\b", "Un búfer circular en lugar de un Vec"),
    cue("decision.es.porque", &["es", "pt"], SD, 1, r"\bporque\b|\bpara evitar\b", "porque los lectores no deben bloquear"),
    cue("decision.pt.escolhemos", PT, SD, 2, r"\b(?:escolhemos|escolhid[oa]|decisao)\b", "Escolhemos BTreeMap pela ordem estável"),
    cue("decision.pt.vamos_usar", PT, SD, 2, r"\bvamos (?:usar|ficar com)\b", "Vamos usar o parser em streaming"),
    cue("decision.pt.em_vez", PT, SD, 2, r"\bem vez de\b|\bao inves de\b", "Um buffer circular em vez de um Vec"),
    cue("decision.it.deciso", IT, SD, 3, r"\b(?:abbiamo|ho) deciso\b|\bdeciso di\b|\bdecisione\b", "Abbiamo deciso di tenere SQLite"),
    cue("decision.it.andiamo_con", IT, SD, 3, r"\b(?:andiamo con|abbiamo optato)\b", "Andiamo con il parser in streaming"),
    cue("decision.it.scelto", IT, SD, 2, r"\b(?:abbiamo )?scelt[oa]\b", "Abbiamo scelto BTreeMap per l'ordine stabile"),
    cue("decision.it.invece_di", IT, SD, 2, r"\binvece di\b|\banziche\b", "Un buffer circolare invece di un Vec"),
    cue("decision.it.perche", IT, SD, 1, r"\bperche\b|\bper evitare\b", "perché i lettori non devono bloccare"),
];

/// How to use a tool, command or API.
#[rustfmt::skip]
pub static TOOL: &[Cue] = &[
    cue("tool.en.use_to", EN, S, 2, r"\buse\s+`[^`]+`\s+(?:to|for|when|instead)\b", "Use `cargo nextest run` to run the suite faster"),
    cue("tool.en.run", EN, S, 2, r"\b(?:run|ran|running)\s+`[^`]+`", "Run `make gen` after editing the proto files"),
    cue("tool.en.via", EN, S, 1, r"\b(?:via|with|using)\s+`[^`]+`", "Checked the line count with `wc -l`"),
    cue("tool.en.flag", EN, S, 1, r"`[^`\n]*\s--?[a-z][\w-]*[^`\n]*`", "Pass `rg --hidden` for dotfiles"),
    cue("tool.en.command", EN, S, 1, r"\b(?:command|cli|subcommand|flag)s?\b", "The CLI takes a config path"),
    cue("tool.en.tool_needs", EN, S, 2, r"\bthe\s+`?[\w-]+`?\s+(?:tool|command|cli)\s+(?:can|cannot|can't|does|needs|requires|takes|accepts|supports|only)\b", "The `gh` CLI needs a token in GH_TOKEN"),
    cue("tool.de.benutze", DE, S, 2, r"\b(?:benutze|verwende|nutze)\s+`[^`]+`", "Verwende `cargo nextest run` für schnellere Tests"),
    cue("tool.fr.utilise", FR, S, 2, r"\butilis(?:e|er|ez)\s+`[^`]+`", "Utilise `cargo nextest run` pour les tests"),
    cue("tool.es.usa", &["es", "it"], S, 2, r"\busa(?:r)?\s+`[^`]+`", "Usa `cargo nextest run` para los tests"),
    cue("tool.pt.rode", PT, S, 2, r"\b(?:rode|execute)\s+`[^`]+`", "Rode `make gen` depois de editar os protos"),
];

/// What a feature does or how it was built.
#[rustfmt::skip]
pub static FEATURE: &[Cue] = &[
    cue("feature.en.added", EN, S, 2, r"\badd(?:ed|s)\b", "Added a `--json` flag to the status command"),
    cue("feature.en.implemented", EN, S, 2, r"\bimplement(?:ed|s|ation)\b", "Implemented incremental ingest"),
    cue("feature.en.new_thing", EN, S, 2, r"\bnew\s+(?:`[^`]+`\s+|\w+\s+)?(?:command|subcommand|endpoint|feature|flag|option|api|page|screen|setting|mode|hook)s?\b", "A new `brief` subcommand prints a briefing"),
    cue("feature.en.support_for", EN, S, 2, r"\bsupport for\b|\bnow (?:handles|supports|accepts)\b", "Support for Codex rollouts"),
    cue("feature.en.introduced", EN, S, 2, r"\bintroduc(?:ed|es)\b", "Introduced a retry budget"),
    cue("feature.de.hinzugefuegt", DE, S, 2, r"\b(?:hinzugefugt|implementiert|eingebaut)\b", "Einen `--json` Schalter hinzugefügt"),
    cue("feature.fr.ajoute", FR, S, 2, r"\b(?:ajoutee?s?|implementee?s?|prise en charge)\b", "Ajouté une option `--json`"),
    cue("feature.es.anadido", ES, S, 2, r"\b(?:anadid[oa]|agregad[oa]|implementad[oa]|soporte para)\b", "Añadido un flag `--json`"),
    cue("feature.pt.adicionado", PT, S, 2, r"\b(?:adicionad[oa]|implementad[oa]|suporte (?:a|para))\b", "Adicionado um flag `--json`"),
    cue("feature.it.aggiunto", IT, S, 2, r"\b(?:aggiunt[oa]|implementat[oa]|supporto per)\b", "Aggiunto un flag `--json`"),
];

/// A structural change to the code.
#[rustfmt::skip]
pub static REFACTOR: &[Cue] = &[
    cue("refactor.en.refactor", EN, S, 3, r"\brefactor(?:ed|ing|s)?\b", "Refactored the store into read and write halves"),
    cue("refactor.en.extracted", EN, S, 2, r"\bextract(?:ed|s)\b", "Extracted the retry loop into a helper"),
    cue("refactor.en.renamed", EN, S, 2, r"\brenam(?:ed|es|ing)\b", "Renamed `Entry` to `Knowledge`"),
    Cue { unless: r"\bmoved on\b", ..cue("refactor.en.moved", EN, S, 2, r"\bmov(?:ed|es)\b.{0,80}\b(?:to|into)\b", "Moved the parser into its own module") },
    cue("refactor.en.split", EN, S, 2, r"\bsplit\b.{0,80}\binto\b", "Split `lib.rs` into three modules"),
    cue("refactor.en.restructured", EN, S, 2, r"\b(?:consolidated|deduplicated|inlined|reorganized|reorganised|restructured)\b", "Consolidated the three config loaders"),
    cue("refactor.de.umbenannt", DE, S, 2, r"\b(?:umbenannt|verschoben|aufgeteilt|refaktoriert|extrahiert|umstrukturiert)\b", "Den Parser in ein eigenes Modul verschoben"),
    cue("refactor.fr.renomme", FR, S, 2, r"\b(?:renomme|deplace|scinde|refactorise)\b", "Parseur déplacé dans son propre module"),
    cue("refactor.es.renombrado", ES, S, 2, r"\b(?:renombrad[oa]|movid[oa]|extraid[oa]|dividid[oa]|refactorizad[oa])\b", "Parser movido a su propio módulo"),
    cue("refactor.pt.renomeado", PT, S, 2, r"\b(?:renomead[oa]|movid[oa]|extraid[oa]|dividid[oa]|refatorad[oa])\b", "Parser refatorado em dois módulos"),
    cue("refactor.it.rinominato", IT, S, 2, r"\b(?:rinominat[oa]|spostat[oa]|estratt[oa]|suddivis[oa]|rifattorizzat[oa])\b", "Parser spostato nel suo modulo"),
];

/// A fact learned about the code base or its environment.
#[rustfmt::skip]
pub static DISCOVERY: &[Cue] = &[
    cue("discovery.en.found_that", EN, S, 2, r"\b(?:found|finds) (?:out )?that\b", "Found that the index is rebuilt on every start"),
    cue("discovery.en.turns_out", EN, S, 2, r"\bturn(?:s|ed) out\b", "Turns out the API paginates at 100 items"),
    cue("discovery.en.learned", EN, S, 2, r"\b(?:discovered|realized|realised|learned|learnt|noticed|determined) that\b|\bdiscovered\b", "Determined that the cache is per user"),
    cue("discovery.en.note_that", EN, S, 2, r"\bnote that\b|\bkeep in mind\b|\bworth noting\b|\bbeware\b|\bgotcha\b|\bcaveat\b", "Note that the watcher ignores dotfiles"),
    cue("discovery.en.for_future", EN, S, 2, r"\b(?:relevant|important|useful) for (?:future|later)\b|\bfor future sessions\b", "Environment context relevant for future tasks: no git repository"),
    cue("discovery.en.api_returns", EN, S, 2, r"\bthe\s+(?:\w+\s+)?(?:api|endpoint|server|function|method)\s+(?:returns|requires|expects|only accepts|does not|doesn'?t|needs)\b", "The API returns dates in local time"),
    cue("discovery.en.apparently", EN, S, 1, r"\b(?:apparently|it seems|it appears)\b", "Apparently the limit is per token"),
    cue("discovery.de.festgestellt", DE, S, 2, r"\b(?:herausgefunden|stellte sich heraus|festgestellt|beachte)\b", "Festgestellt, dass der Index bei jedem Start neu gebaut wird"),
    cue("discovery.fr.decouvert", FR, S, 2, r"\b(?:decouvert|il s'avere|constate|a noter)\b", "Il s'avère que l'API pagine par 100"),
    cue("discovery.es.resulta", ES, S, 2, r"\b(?:descubrimos|resulta que|nos dimos cuenta|ten en cuenta)\b", "Resulta que la API pagina de 100 en 100"),
    cue("discovery.pt.descobrimos", PT, S, 2, r"\b(?:descobrimos|acontece que|percebemos)\b", "Descobrimos que a API pagina de 100 em 100"),
    cue("discovery.it.scoperto", IT, S, 2, r"\b(?:abbiamo scoperto|si e scoperto|risulta che)\b", "Abbiamo scoperto che l'API pagina per 100"),
];

/// The table of one category.
pub fn table(category: Category) -> &'static [Cue] {
    match category {
        Category::Mistake => MISTAKE,
        Category::Pattern => PATTERN,
        Category::Decision => DECISION,
        Category::Tool => TOOL,
        Category::Feature => FEATURE,
        Category::Refactor => REFACTOR,
        Category::Discovery => DISCOVERY,
    }
}

/// Order in which categories win a tie: the more actionable first.
pub const TIE_ORDER: [Category; 7] = [
    Category::Mistake,
    Category::Decision,
    Category::Pattern,
    Category::Refactor,
    Category::Feature,
    Category::Tool,
    Category::Discovery,
];

/// Words that say a failure is not one: "no errors", "intentional", "as expected".
/// A summary item with these never counts as a mistake.
pub const NEGATION: &str = r"\bno (?:other |further |more |new |real )?(?:errors?|bugs?|failures?|issues?|problems?)\b|\bno (?:fix|fixes|changes) (?:needed|required)\b|\bwithout (?:errors?|failures?|issues?)\b|\bnot (?:treated as )?(?:a )?(?:real )?(?:failure|error|bug)\b|\bintentional(?:ly)?\b|\bexpected (?:behaviou?r|failure|error)\b|\bas expected\b|\bnothing (?:failed|broke)\b|\bkein(?:e|en)? fehler\b|\baucune erreur\b|\bsin errores\b|\bsem erros\b|\bnessun errore\b";

/// Narration announcing that the next call is meant to fail (a demo, a red test).
pub const EXPECTED_FAILURE: &str = r"\bnon-?existent\b|\bdoes-not-exist\b|\bmissing file\b|\b(?:likely|probably) missing\b|\b(?:will|must|should|is expected to|expected to) fail\b|\bexpect(?:ing)? (?:it to fail|a failure|an error)\b|\bto demonstrate\b|\bon purpose\b|\bintentional(?:ly)?\b|\bdeliberately\b|\bdemonstrate (?:the )?failure\b";

/// One cue that fired.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub category: Category,
    pub cue: &'static Cue,
}

struct Compiled {
    set: RegexSet,
    cues: Vec<(Category, &'static Cue, Option<Regex>)>,
    /// Each cue's own pattern, to find where it fired (rejection cues only: see
    /// [`in_condition`]); empty for the other uses.
    finders: Vec<Regex>,
    /// Every pattern of the set in one regex, anchors removed: a superset matcher run
    /// once over a whole record before it is split into sentences.
    prefilter: Regex,
}

/// `\b` as an ASCII word boundary: the folded haystack is ASCII, and the ASCII boundary
/// keeps every pattern on the fast automata.
fn ascii_boundaries(pattern: &str) -> String {
    format!("(?i){}", pattern.replace(r"\b", r"(?-u:\b)"))
}

/// Removes `^` and `$` outside character classes, so a sentence-level pattern can be
/// searched anywhere in a longer text (it then matches more, never less).
fn strip_anchors(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let (mut in_class, mut escaped) = (false, false);
    for c in pattern.chars() {
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            '^' | '$' if !in_class => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Whether a cue is matched on the lower-cased sentence (see [`WIDE_LANGS`]).
fn is_wide(cue: &Cue) -> bool {
    cue.langs.first().is_some_and(|l| WIDE_LANGS.contains(l))
}

/// The cues of `use_` in the Latin-script languages (`wide` false), matched on [`fold`]ed
/// text, or in [`WIDE_LANGS`] (`wide` true), matched on the lower-cased sentence.
fn compile(use_: Use, wide: bool) -> Compiled {
    let mut cues = Vec::new();
    let mut patterns = Vec::new();
    for category in Category::ALL {
        for c in table(category)
            .iter()
            .filter(|c| c.uses.contains(&use_) && is_wide(c) == wide)
        {
            patterns.push(ascii_boundaries(c.pattern));
            let unless = (!c.unless.is_empty())
                .then(|| Regex::new(&ascii_boundaries(c.unless)).expect("static cue pattern"));
            cues.push((category, c, unless));
        }
    }
    let union = cues
        .iter()
        .map(|(_, c, _)| format!("(?:{})", strip_anchors(c.pattern)))
        .collect::<Vec<_>>()
        .join("|");
    let finders = if use_ == Use::Reject {
        patterns
            .iter()
            .map(|p| Regex::new(p).expect("static cue pattern"))
            .collect()
    } else {
        Vec::new()
    };
    Compiled {
        set: RegexSet::new(&patterns).expect("static cue patterns"),
        cues,
        finders,
        prefilter: Regex::new(&ascii_boundaries(&union)).expect("static cue patterns"),
    }
}

static SUMMARY_SET: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Summary, false));
static REJECT_SET: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Reject, false));
static RULE_SET: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Rule, false));
static DECIDE_SET: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Decide, false));
static SUMMARY_WIDE: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Summary, true));
static REJECT_WIDE: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Reject, true));
static RULE_WIDE: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Rule, true));
static DECIDE_WIDE: LazyLock<Compiled> = LazyLock::new(|| compile(Use::Decide, true));
static NEGATION_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&ascii_boundaries(NEGATION)).expect("static regex"));
static EXPECTED_FAILURE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&ascii_boundaries(EXPECTED_FAILURE)).expect("static regex"));

fn compiled(use_: Use) -> &'static Compiled {
    match use_ {
        Use::Summary => &SUMMARY_SET,
        Use::Reject => &REJECT_SET,
        Use::Rule => &RULE_SET,
        Use::Decide => &DECIDE_SET,
    }
}

fn compiled_wide(use_: Use) -> &'static Compiled {
    match use_ {
        Use::Summary => &SUMMARY_WIDE,
        Use::Reject => &REJECT_WIDE,
        Use::Rule => &RULE_WIDE,
        Use::Decide => &DECIDE_WIDE,
    }
}

/// Every cue of `use_` that fires on one sentence or item: the Latin-script cues in table
/// order, then those of [`WIDE_LANGS`] when the sentence has letters outside ASCII.
pub fn hits(use_: Use, sentence: &str) -> Vec<Hit> {
    let mut out = hits_folded(use_, &fold(sentence));
    if !sentence.is_ascii() {
        out.extend(matching(compiled_wide(use_), &sentence.to_lowercase(), true));
    }
    out
}

/// [`hits`] on a sentence already [`fold`]ed: the Latin-script cues only.
pub fn hits_folded(use_: Use, folded: &str) -> Vec<Hit> {
    matching(compiled(use_), folded, false)
}

/// The cues of `compiled` that fire on `text`, those inside a condition or purpose clause
/// left out: [`in_condition`] on folded text, [`in_wide_condition`] when `wide`.
fn matching(compiled: &'static Compiled, text: &str, wide: bool) -> Vec<Hit> {
    compiled
        .set
        .matches(text)
        .iter()
        .filter(|&i| {
            compiled
                .finders
                .get(i)
                .and_then(|f| f.find(text))
                .is_none_or(|m| {
                    if wide {
                        !in_wide_condition(text, m.start(), m.end())
                    } else {
                        !in_condition(text.get(..m.start()).unwrap_or_default())
                    }
                })
        })
        .filter_map(|i| compiled.cues.get(i))
        .filter(|(_, _, unless)| unless.as_ref().is_none_or(|u| !u.is_match(text)))
        .map(|&(category, cue, _)| Hit { category, cue })
        .collect()
}

/// Words that open a condition or a purpose clause: "when the field is empty", "if it
/// doesn't exist", "so that the job doesn't run twice", "si la liste est vide".
static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(
        r"\b(?:if|when|whenever|unless|in case|so that|si|cuando|quand|lorsque|quando|wenn|falls|para que|pour que|afin que|damit)\b|\w\s+(?:so)\b|^\s*se\b",
    ))
    .expect("static regex")
});
/// A subject after the condition's first words starts the main clause ("when I click
/// the button it doesn't open"): what follows is said, not supposed.
static NEW_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(
        r"\S\s+(?:it|this|that|nothing|everything|i|we|they)\b",
    ))
    .expect("static regex")
});

/// Whether a rejection cue that fires after `before` (the sentence up to the cue, folded)
/// sits in a condition or purpose clause: then it describes the task ("show an error when
/// the field is empty", "create the folder if it doesn't exist"), not what went wrong.
/// The clause runs from the condition word to the cue, unbroken by punctuation. "so" is a
/// purpose only inside a clause ("add a lock so the job …"); opening one ("so it still
/// fails") it is "therefore". "se" is "if" only opening a clause; elsewhere it is a pronoun.
fn in_condition(before: &str) -> bool {
    let clause = before.rsplit([',', ';', ':', '(']).next().unwrap_or(before);
    let clause = clause.rsplit(" - ").next().unwrap_or(clause);
    CONDITION
        .find_iter(clause)
        .last()
        .is_some_and(|m| !NEW_SUBJECT.is_match(clause.get(m.end()..).unwrap_or_default()))
}

/// Words before a cue of [`WIDE_LANGS`] that open a condition or purpose clause: "如果图片不
/// 显示，…" (if), "为了…" (so that), "…, если сервер не запускается" (if, when, so that).
/// Not 当 ("when": also 当前, "current") nor при ("at": also "on page load it breaks").
static WIDE_CONDITION_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"如果|假如|要是|若是|万一|一旦|为了|以免|(?:^|[^а-яё])(?:если|когда|чтобы|в случае)(?:[^а-яё]|$)",
    )
    .expect("static regex")
});
/// Endings right after a cue of [`WIDE_LANGS`] that make it a condition or purpose:
/// Chinese and Japanese "输入不正确时", "表示されない場合は", "動かないように" (but 时间 /
/// 時間 is "time"); Korean "작동하지 않으면", "나지 않도록" (on the word or the next one),
/// "잘못된 경우" / "… 때" (the next word).
static WIDE_CONDITION_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[^\s，,、。；;]{0,4}?(?:时(?:[^间]|$)|的话|場合|とき|時(?:[^間]|$)|なら|ように|ために)|\S*(?:\s+\S*)?(?:면|도록)(?:[\s,.]|$)|\S*\s+(?:경우|때))",
    )
    .expect("static regex")
});

/// Whether a cue of [`WIDE_LANGS`] found at `start..end` of the lower-cased `sentence` sits
/// in a condition or purpose clause, as [`in_condition`] decides for the other languages:
/// Chinese and Russian open the clause before the cue, Japanese and Korean close it after.
fn in_wide_condition(sentence: &str, start: usize, end: usize) -> bool {
    let before = sentence.get(..start).unwrap_or_default();
    let clause = before
        .rsplit([',', '，', '、', ';', '；', ':', '：'])
        .next()
        .unwrap_or(before);
    WIDE_CONDITION_BEFORE.is_match(clause)
        || WIDE_CONDITION_AFTER.is_match(sentence.get(end..).unwrap_or_default())
}

/// Whether any Latin-script cue of `use_` could fire somewhere in `folded` (a whole
/// record, already [`fold`]ed): a cheap test that lets the rules skip records without a
/// single cue.
pub fn may_hit(use_: Use, folded: &str) -> bool {
    compiled(use_).prefilter.is_match(folded)
}

/// Sum of the weights of the hits of one category.
pub fn score(hits: &[Hit], category: Category) -> u32 {
    hits.iter()
        .filter(|h| h.category == category)
        .map(|h| u32::from(h.cue.weight))
        .sum()
}

/// Whether the text says a failure was not one.
pub fn is_negated_failure(text: &str) -> bool {
    NEGATION_RE.is_match(&fold(text))
}

/// Whether narration says the coming call is meant to fail.
pub fn announces_expected_failure(text: &str) -> bool {
    EXPECTED_FAILURE_RE.is_match(&fold(text))
}

/// Least score a summary item needs: one strong cue or two weak ones.
pub const SUMMARY_THRESHOLD: u32 = 2;

/// Classifies one summary item: the category with the highest score of at least
/// [`SUMMARY_THRESHOLD`] that includes a strong cue (weak cues only add to one; two weak
/// cues are often the same words seen twice), ties going by [`TIE_ORDER`], with the cues
/// that fired for it.
/// Mistake cues do not count when the item negates the failure ("no errors occurred").
/// `bias` adds one point to a category (the heading the item sits under says "errors").
pub fn classify_summary_item(
    text: &str,
    bias: Option<Category>,
) -> Option<(Category, u32, Vec<&'static str>)> {
    let folded = fold(text);
    let hits = hits_folded(Use::Summary, &folded);
    if hits.is_empty() {
        return None;
    }
    let negated = NEGATION_RE.is_match(&folded);
    let mut best: Option<(Category, u32)> = None;
    for category in TIE_ORDER {
        if negated && category == Category::Mistake {
            continue;
        }
        let mut s = score(&hits, category);
        let biased = s > 0 && bias == Some(category);
        if biased {
            s += 1;
        }
        let strong = biased || hits.iter().any(|h| h.category == category && h.cue.weight >= 2);
        if strong && s >= SUMMARY_THRESHOLD && best.is_none_or(|(_, b)| s > b) {
            best = Some((category, s));
        }
    }
    let (category, s) = best?;
    let names = hits
        .iter()
        .filter(|h| h.category == category)
        .map(|h| h.cue.name)
        .collect();
    Some((category, s, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_items_classify_by_their_strongest_cues() {
        let c = |t: &str| classify_summary_item(t, None).map(|(c, _, _)| c);
        assert_eq!(c("Fixed the flaky login test"), Some(Category::Mistake));
        assert_eq!(
            c("Refactored the parser and fixed a typo"),
            Some(Category::Refactor)
        );
        assert_eq!(c("No errors occurred; no additional changes were made."), None);
        assert_eq!(c("Asked for a summary because history will be removed"), None);
    }

    #[test]
    fn unless_cancels_idioms() {
        assert!(hits(Use::Rule, "Ich habe immer noch den Fehler").is_empty());
        assert!(!hits(Use::Rule, "Wir formatieren immer vor dem Commit").is_empty());
        assert!(hits(Use::Reject, "No problem, thanks").is_empty());
    }

    #[test]
    fn rejection_cues_in_a_condition_clause_describe_the_task() {
        let fires = |t: &str| !hits(Use::Reject, t).is_empty();
        assert!(!fires("When the email field is empty, show an error"));
        assert!(!fires("Create the folder if it doesn't exist"));
        assert!(!fires("Add a lock so the job doesn't run twice"));
        assert!(!fires("Si la liste est vide, affiche un message"));
        // The main clause after the condition says what happened.
        assert!(fires("When I click the button it doesn't open"));
        assert!(fires("When I click save, it doesn't save"));
        assert!(fires("So it still doesn't work"));
        assert!(fires("El campo se borra y no funciona"));
    }
}
