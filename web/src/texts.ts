/**
 * Every text of the web pages, Dutch first. Static texts in the HTML carry `data-i18n="<key>"` and are
 * replaced when the language changes; the rest is built by the page scripts from these entries.
 * Event content (titles, descriptions, speakers) comes from the event definition and stays as written.
 */

const nl = {
  // page and event
  formDocumentTitle: 'Aanmelden',
  manageDocumentTitle: 'Uw aanmelding',
  registerFor: 'Aanmelden voor',
  loadingEvent: 'Het programma wordt geladen…',
  eventNotFound: 'Dit evenement bestaat niet. Controleer de link die u heeft gekregen.',
  loadFailed:
    'Het programma kon niet worden geladen. Controleer uw internetverbinding en probeer het opnieuw.',
  retry: 'Opnieuw proberen',
  noScript: 'Voor dit formulier is JavaScript nodig. Zet JavaScript aan of gebruik een andere browser.',
  notYetOpen: (opensAt: string | undefined) =>
    opensAt
      ? `U kunt zich nog niet aanmelden. De inschrijving opent op ${opensAt}.`
      : 'U kunt zich nog niet aanmelden: de inschrijving is nog niet geopend.',
  closed: 'De inschrijving is gesloten. Aanmelden is niet meer mogelijk.',
  footerPrivacy: 'Privacyverklaring',
  footerTagline: 'Vol is vol: een volle workshop neemt niemand meer aan.',

  // workshops
  roundLegend: (roundTitle: string) => `${roundTitle}: kies één workshop`,
  speakers: (count: number) => (count === 1 ? 'Spreker:' : 'Sprekers:'),
  seatsLeft: (seats: number) => (seats === 1 ? 'nog 1 plaats' : `nog ${seats} plaatsen`),
  full: 'VOL',
  heldChoice: 'uw huidige keuze',
  readMore: 'Lees de hele beschrijving',
  readMoreAbout: (title: string) => ` van ‘${title}’`,

  // fields
  requiredNote: 'Alle velden zijn verplicht, tenzij er ‘optioneel’ bij staat.',
  personLegend: 'Uw gegevens',
  name: 'Naam',
  email: 'E-mailadres',
  emailHint: 'Hier sturen we de bevestiging naartoe, met een link om uw aanmelding te wijzigen.',
  organisation: 'Organisatie',
  jobTitle: 'Functie (optioneel)',
  jobTitleShort: 'Functie',
  consentLegend: 'Toestemming',
  consent: 'Ik geef toestemming om mijn gegevens te gebruiken voor deze aanmelding.',
  privacyBefore: 'Wat we bewaren, waarom en hoe lang, leest u in de ',
  privacyLink: 'privacyverklaring',
  privacyAfter: ' (opent in een nieuw tabblad).',
  honeypot: 'Laat dit veld leeg. Het is een controle tegen spam; mensen vullen het niet in.',
  submit: 'Aanmelden',
  submitting: 'Bezig met versturen…',
  errorPrefix: 'Fout: ',

  // field errors
  errName: 'Vul uw naam in.',
  errEmailMissing: 'Vul uw e-mailadres in.',
  errEmail: 'Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.',
  errOrganisation: 'Vul de naam van uw organisatie in.',
  errTooLong: (max: number) => `Gebruik hier maximaal ${max} tekens.`,
  errConsent:
    'Geef toestemming voor het gebruik van uw gegevens; zonder toestemming kunnen we u niet aanmelden.',
  errChoice: (roundTitle: string) => `Kies een workshop in ${roundTitle}.`,
  errChoiceInvalid: 'Deze keuze hoort niet (meer) bij deze ronde. Kies opnieuw een workshop.',
  errWorkshopFull: (title: string) => `Vol is vol: ‘${title}’ is net vol geraakt. Kies een andere workshop.`,
  errChoiceBecameFull: (title: string) =>
    `‘${title}’, die u had gekozen, is inmiddels vol. Kies een andere workshop.`,
  errWorkshopsFull: (titles: string) =>
    `Vol is vol: ${titles} zijn net vol geraakt, uw keuze en uw reservekeuze. Kies een andere workshop.`,

  // messages about the whole form
  fixErrors: (count: number) =>
    count === 1
      ? 'Uw aanmelding is nog niet verstuurd: er is 1 veld dat u moet aanpassen.'
      : `Uw aanmelding is nog niet verstuurd: er zijn ${count} velden die u moet aanpassen.`,
  workshopFull:
    'Vol is vol: een workshop die u koos is net vol geraakt. Kies een andere workshop in de gemarkeerde ronde. Uw andere gegevens zijn bewaard.',
  alreadyRegistered:
    'Dit e-mailadres is al aangemeld voor dit evenement. In uw bevestigingsmail staat een link om uw aanmelding te bekijken, te wijzigen of te annuleren.',
  registrationClosed: 'Aanmelden is niet meer mogelijk: de inschrijving is gesloten.',
  registrationNotYetOpen: 'Aanmelden is nog niet mogelijk: de inschrijving is nog niet geopend.',
  invalidChoice:
    'Een van uw keuzes bestaat niet meer of hoort bij een andere ronde. Het programma is bijgewerkt; kies opnieuw in de gemarkeerde ronde.',
  tryAgain: (seconds: number | undefined) =>
    seconds === undefined
      ? 'Het is op dit moment erg druk. Probeer het over een paar seconden opnieuw; u wordt niet dubbel aangemeld.'
      : `Het is op dit moment erg druk. Probeer het over ${seconds} ${seconds === 1 ? 'seconde' : 'seconden'} opnieuw; u wordt niet dubbel aangemeld.`,
  beingHandled:
    'Het is erg druk. Uw aanmelding wordt verwerkt, een moment geduld. U hoeft niets te doen en wordt niet dubbel aangemeld.',
  requestInProgress:
    'Uw aanmelding wordt al verwerkt. Wacht een paar seconden en verstuur het formulier dan opnieuw; u wordt niet dubbel aangemeld.',
  network:
    'Er is geen verbinding met de server. Controleer uw internetverbinding en probeer het opnieuw. Uw gegevens blijven bewaard en u wordt niet dubbel aangemeld.',
  tooFast: 'Dat ging wel heel snel. Controleer uw gegevens en verstuur het formulier nog een keer.',
  honeypotFilled:
    'Het formulier kon niet worden verstuurd. Vult uw browser velden automatisch in? Laat dan het veld ‘Laat dit veld leeg’ leeg.',
  eventGone: 'Dit evenement bestaat niet (meer).',
  unexpected: (code: string) =>
    `Er ging iets mis (foutcode ${code}). Probeer het later opnieuw of neem contact op met de organisatie.`,
  seatsRefreshFailed: 'De beschikbare plaatsen konden niet worden bijgewerkt.',

  // confirmation
  confirmedHeading: 'U bent aangemeld',
  confirmedThanks: (name: string, event: string) =>
    `Bedankt, ${name}. Uw aanmelding voor ${event} is bevestigd.`,
  yourWorkshops: 'Uw workshops',
  confirmationEmail: (email: string) =>
    `We sturen een bevestiging naar ${email}. Daarin staat een link waarmee u uw workshops kunt wijzigen of uw aanmelding kunt annuleren.`,
  checkSpam: 'Geen e-mail ontvangen? Kijk dan ook in de map met ongewenste e-mail.',

  // manage page
  manageHeading: 'Uw aanmelding',
  manageLoading: 'Uw aanmelding wordt geladen…',
  linkInvalid:
    'Deze link is niet geldig (meer). Gebruik de link uit uw meest recente bevestigingsmail, of neem contact op met de organisatie.',
  detailsHeading: 'Gegevens van uw aanmelding',
  status: 'Status',
  statusConfirmed: 'Bevestigd',
  statusCancelled: 'Geannuleerd',
  registeredOn: 'Aangemeld op',
  changeHeading: 'Workshops wijzigen',
  changeIntro:
    'Kies per ronde een workshop en sla uw keuze op. Uw huidige plaats houdt u tot u iets anders kiest.',
  save: 'Wijzigingen opslaan',
  saving: 'Bezig met opslaan…',
  saved: 'Uw workshops zijn gewijzigd.',
  nothingChanged: 'U heeft niets gewijzigd.',
  changeClosed: 'Wijzigen is niet meer mogelijk: de inschrijving is gesloten.',
  cancelHeading: 'Aanmelding annuleren',
  cancelIntro: 'Kunt u niet komen? Annuleer dan uw aanmelding, zodat iemand anders uw plaats kan krijgen.',
  cancelButton: 'Aanmelding annuleren',
  cancelConfirmTitle: 'Weet u zeker dat u uw aanmelding wilt annuleren?',
  cancelConfirmText:
    'Uw plaatsen in de workshops worden vrijgegeven voor anderen. Dit kunt u niet ongedaan maken: vol is vol, dus misschien is uw plaats daarna weg.',
  cancelConfirmYes: 'Ja, annuleer mijn aanmelding',
  cancelConfirmNo: 'Nee, ga terug',
  cancelling: 'Bezig met annuleren…',
  cancelled: 'Uw aanmelding is geannuleerd. Uw plaatsen zijn vrijgegeven voor anderen.',
  alreadyCancelled: 'Deze aanmelding is geannuleerd.',
  registerAgain: 'Opnieuw aanmelden',
  dataHeading: 'Uw gegevens',
  checkInHeading: 'Inchecken op de dag',
  checkInIntro:
    'Laat deze QR-code scannen bij de ingang en bij uw workshops, of noem de code. De code verandert als u een nieuwe bevestigingsmail krijgt.',
  checkInQrAlt: (code: string) => `QR-code om in te checken, code ${code}`,
  dataIntro:
    'Download alles wat we over uw aanmelding bewaren, of laat uw naam, e-mailadres, organisatie en functie verwijderen.',
  dataDownload: 'Mijn gegevens downloaden (JSON)',
  downloading: 'Bezig met downloaden…',
  downloaded: (fileName: string) => `Uw gegevens zijn gedownload als ${fileName}.`,
  eraseButton: 'Mijn gegevens laten verwijderen',
  eraseConfirmTitle: 'Weet u zeker dat u uw gegevens wilt laten verwijderen?',
  eraseConfirmText: (confirmed: boolean) =>
    `${confirmed ? 'Uw aanmelding wordt geannuleerd en uw plaatsen in de workshops worden vrijgegeven voor anderen. ' : ''}Uw naam, e-mailadres, organisatie en functie worden verwijderd. U krijgt nog één laatste e-mail ter bevestiging. Dit kunt u niet ongedaan maken: daarna werkt deze link niet meer.`,
  eraseConfirmYes: 'Ja, verwijder mijn gegevens',
  eraseConfirmNo: 'Nee, ga terug',
  erasing: 'Bezig met verwijderen…',
  erased:
    'Uw gegevens zijn verwijderd. Uw aanmelding is geannuleerd en uw plaatsen zijn vrijgegeven. U ontvangt nog één e-mail ter bevestiging. Deze link werkt niet meer; u kunt deze pagina sluiten.',
  eraseTryAgain: (seconds: number | undefined) =>
    `Uw gegevens zijn nog niet verwijderd: de bevestigingsmail kon nog niet worden verstuurd. Er is niets gewijzigd. Probeer het ${seconds === undefined ? 'over een paar minuten' : `over ${seconds} ${seconds === 1 ? 'seconde' : 'seconden'}`} opnieuw.`,
  eraseNotFound:
    'Deze link werkt niet (meer). Heeft u uw gegevens net laten verwijderen? Dan is dat gelukt en krijgt u een bevestigingsmail.',

  // waiting lists: the form
  waitingCount: (count: number) =>
    count === 0 ? 'nog niemand op de wachtlijst' : count === 1 ? '1 wachtende' : `${count} wachtenden`,
  waitOption: 'Zet mij op de wachtlijst',
  waitOptionFor: (title: string) => ` voor ‘${title}’`,
  roundLegendWaiting: (roundTitle: string) => `${roundTitle}: welke workshops vindt u goed?`,
  acceptRank: (rank: number) => `uw ${rank}e keus`,

  // reserve choice (alternatives in a registration)
  alternativesTitle: 'Reservekeuze (optioneel)',
  alternativesHint:
    'Is uw keuze vol op het moment dat uw aanmelding binnenkomt? Dan krijgt u de eerste workshop uit deze lijst waar nog plaats is. Kies ze in volgorde van voorkeur.',
  alternativeNone: 'geen',
  reserveBecameFull: (title: string) =>
    `‘${title}’ uit uw reservekeuze is inmiddels vol en staat er niet meer in.`,
  alternativeTaken: (chosen: string, taken: string) =>
    `Uw eerste keus ‘${chosen}’ was vol; u bent ingeschreven voor ‘${taken}’.`,
  modeLegend: 'Hoe wilt u zich aanmelden?',
  modeRegister: 'Met een plaats in elke ronde',
  modeRegisterHint:
    'U kiest per ronde een workshop waar nog plaats is. Is de workshop die u het liefst wilt vol? Vink daar dan ‘Zet mij op de wachtlijst’ aan. Komt er een plaats vrij, dan krijgt u die automatisch en geven we uw andere plaats in die ronde vrij.',
  modeWaiting: 'Alleen op de wachtlijst',
  modeWaitingHint:
    'U vinkt per ronde de workshops aan die u goed vindt, in volgorde van voorkeur. Zodra er in elke ronde plaats is in een van die workshops, wordt u automatisch aangemeld en krijgt u een e-mail.',
  modeForced: (rounds: string) =>
    `In ${rounds} is elke workshop vol. U kunt zich nu alleen aanmelden voor een plaats op de wachtlijst: vink per ronde de workshops aan die u goed vindt.`,
  submitWaiting: 'Aanmelden voor de wachtlijst',
  errAccept: (roundTitle: string) => `Vink in ${roundTitle} minstens één workshop aan die u goed vindt.`,
  errWaitNeedsSeat: (roundTitle: string) =>
    `Kies in ${roundTitle} ook een workshop met plaats. Wilt u alleen op de wachtlijst? Kies dan bovenaan ‘Alleen op de wachtlijst’.`,
  notFull:
    'Er is nog plaats: meld u gewoon aan. Per ronde is een workshop met plaats gekozen uit de workshops die u aanvinkte. Controleer de keuze en klik op ‘Aanmelden’.',
  waitNotFull: (title: string) =>
    `Er is weer plaats in ‘${title}’: u hoeft niet te wachten. Kies deze workshop gewoon.`,
  waitNotFullAlert:
    'Een workshop waarvoor u op de wachtlijst wilde, heeft weer plaats. Kies hem gewoon in de gemarkeerde ronde. Uw andere gegevens zijn bewaard.',
  waitFreed: (title: string) => `‘${title}’ heeft weer plaats. U kunt deze workshop nu gewoon kiezen.`,
  alreadyWaiting:
    'Dit e-mailadres staat al op de wachtlijst voor dit evenement. In de e-mail die u toen kreeg, staat een link om uw plek te bekijken of de wachtlijst te verlaten.',
  waitingHeading: 'U staat op de wachtlijst',
  waitingThanks: (name: string, event: string) => `Bedankt, ${name}. U staat op de wachtlijst voor ${event}.`,
  waitingExplain:
    'Zodra er in elke ronde plaats is in een workshop die u heeft aangevinkt, wordt u automatisch aangemeld. Dan laten we het u weten: u krijgt een e-mail met uw workshops.',
  yourWaitingList: 'Uw plek op de wachtlijst',
  waitingPosition: (position: number) => `plaats ${position} op de wachtlijst`,
  waitingEmail: (email: string) =>
    `We sturen een e-mail naar ${email}. Daarin staat een link waarmee u uw plek op de wachtlijst kunt bekijken of de wachtlijst kunt verlaten.`,
  confirmationWaitingHeading: 'Uw wachtlijsten',
  confirmationWaitingIntro:
    'Komt er een plaats vrij in een workshop waarvoor u op de wachtlijst staat, dan krijgt u die automatisch en geven we uw plaats in die ronde vrij. U krijgt dan een e-mail.',

  // waiting lists: the manage page
  statusWaiting: 'Op de wachtlijst',
  acceptedHeading: 'Workshops die u goed vindt',
  waitingManageIntro:
    'U staat op de wachtlijst voor een plaats. Zodra er in elke ronde plaats is in een workshop die u goed vindt, wordt u automatisch aangemeld en krijgt u een e-mail.',
  leaveHeading: 'Van de wachtlijst af',
  leaveIntro: 'Wilt u niet meer op de wachtlijst staan? Dan gaat uw plek naar de volgende.',
  leaveButton: 'Van de wachtlijst af',
  leaveFor: (title: string) => ` voor ‘${title}’`,
  leaveConfirmTitle: 'Weet u zeker dat u van de wachtlijst af wilt?',
  leaveConfirmText:
    'U verliest uw plek op de wachtlijst. Wilt u later toch weer op de wachtlijst, dan sluit u achteraan aan.',
  leaveConfirmYes: 'Ja, haal mij van de wachtlijst',
  leaving: 'Bezig…',
  left: 'U staat niet meer op de wachtlijst.',
  leftRound: (title: string) =>
    `U staat niet meer op de wachtlijst voor ‘${title}’. Uw huidige plaats houdt u.`,
  waitingListsHeading: 'Wachtlijsten',
  waitingListsIntro:
    'Is een workshop vol waar u liever naartoe wilt? Zet uzelf dan op de wachtlijst. Komt er een plaats vrij, dan krijgt u die automatisch, geven we uw huidige plaats in die ronde vrij en krijgt u een e-mail. Tot dan houdt u uw huidige plaats. Per ronde kunt u op één wachtlijst staan.',
  waitingInRound: (title: string, position: number | undefined) =>
    `U staat op de wachtlijst voor ‘${title}’${position ? ` (plaats ${position})` : ''}.`,
  noFullInRound: 'Geen volle workshops in deze ronde.',
  joinButton: 'Op de wachtlijst',
  joinFor: (title: string) => ` voor ‘${title}’`,
  joined: (title: string, position: number | undefined) =>
    `U staat nu op de wachtlijst voor ‘${title}’${position ? ` (plaats ${position})` : ''}. Uw huidige plaats houdt u tot er een plaats vrijkomt.`,
  joinNotFull: (title: string) =>
    `Er is nog plaats in ‘${title}’: u hoeft niet op de wachtlijst. Wissel gewoon van workshop.`,
  switchTo: (title: string) => `Wissel naar ‘${title}’`,
  alreadyWaitingRound:
    'U staat in deze ronde al op een wachtlijst. Per ronde kunt u op één wachtlijst staan: ga eerst van die wachtlijst af.',
  changeWaiting: 'U staat op de wachtlijst voor een plaats en heeft nog geen workshops om te wijzigen.',
  eraseConfirmTextWaiting:
    'U gaat van de wachtlijst af. Uw naam, e-mailadres, organisatie en functie worden verwijderd. U krijgt nog één laatste e-mail ter bevestiging. Dit kunt u niet ongedaan maken: daarna werkt deze link niet meer.',
};

/** Every entry of `nl`, widened to `string` (the English texts are not the Dutch literals). */
export type Texts = {
  [Key in keyof typeof nl]: (typeof nl)[Key] extends (...args: infer Args) => string
    ? (...args: Args) => string
    : string;
};

const en: Texts = {
  formDocumentTitle: 'Register',
  manageDocumentTitle: 'Your registration',
  registerFor: 'Register for',
  loadingEvent: 'Loading the programme…',
  eventNotFound: 'This event does not exist. Please check the link you were given.',
  loadFailed: 'The programme could not be loaded. Check your internet connection and try again.',
  retry: 'Try again',
  noScript: 'This form needs JavaScript. Please turn JavaScript on or use another browser.',
  notYetOpen: (opensAt) =>
    opensAt ? `Registration is not open yet. It opens on ${opensAt}.` : 'Registration is not open yet.',
  closed: 'Registration is closed.',
  footerPrivacy: 'Privacy statement',
  footerTagline: 'Full is full: a full workshop takes nobody more.',

  roundLegend: (roundTitle) => `${roundTitle}: choose one workshop`,
  speakers: (count) => (count === 1 ? 'Speaker:' : 'Speakers:'),
  seatsLeft: (seats) => (seats === 1 ? '1 seat left' : `${seats} seats left`),
  full: 'FULL',
  heldChoice: 'your current choice',
  readMore: 'Read the full description',
  readMoreAbout: (title) => ` of ‘${title}’`,

  requiredNote: 'All fields are required unless marked ‘optional’.',
  personLegend: 'Your details',
  name: 'Name',
  email: 'Email address',
  emailHint: 'We send the confirmation here, with a link to change your registration.',
  organisation: 'Organisation',
  jobTitle: 'Job title (optional)',
  jobTitleShort: 'Job title',
  consentLegend: 'Consent',
  consent: 'I agree that my details are used for this registration.',
  privacyBefore: 'What we store, why and for how long is explained in the ',
  privacyLink: 'privacy statement',
  privacyAfter: ' (opens in a new tab).',
  honeypot: 'Leave this field empty. It is a check against spam; people do not fill it in.',
  submit: 'Register',
  submitting: 'Sending…',
  errorPrefix: 'Error: ',

  errName: 'Enter your name.',
  errEmailMissing: 'Enter your email address.',
  errEmail: 'Enter a valid email address, like name@example.com.',
  errOrganisation: 'Enter the name of your organisation.',
  errTooLong: (max) => `Use at most ${max} characters here.`,
  errConsent: 'Tick the box to agree to the use of your details; we cannot register you without it.',
  errChoice: (roundTitle) => `Choose a workshop in ${roundTitle}.`,
  errChoiceInvalid: 'This choice does not belong to this round (any more). Please choose a workshop again.',
  errWorkshopFull: (title) => `Full is full: ‘${title}’ has just filled up. Please choose another workshop.`,
  errChoiceBecameFull: (title) =>
    `‘${title}’, which you had chosen, is now full. Please choose another workshop.`,
  errWorkshopsFull: (titles) =>
    `Full is full: ${titles} have just filled up, your choice and your reserve choice. Please choose another workshop.`,

  fixErrors: (count) =>
    count === 1
      ? 'Your registration has not been sent yet: 1 field needs your attention.'
      : `Your registration has not been sent yet: ${count} fields need your attention.`,
  workshopFull:
    'Full is full: a workshop you chose has just filled up. Please choose another workshop in the marked round. Everything else you entered is kept.',
  alreadyRegistered:
    'This email address is already registered for this event. Your confirmation email has a link to view, change or cancel your registration.',
  registrationClosed: 'Registration is no longer possible: it is closed.',
  registrationNotYetOpen: 'Registration is not possible yet: it has not opened.',
  invalidChoice:
    'One of your choices no longer exists or belongs to another round. The programme has been updated; please choose again in the marked round.',
  tryAgain: (seconds) =>
    seconds === undefined
      ? 'We are very busy right now. Please try again in a few seconds; you will not be registered twice.'
      : `We are very busy right now. Please try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}; you will not be registered twice.`,
  beingHandled:
    'It is very busy. Your registration is being processed, one moment please. There is nothing you need to do, and you will not be registered twice.',
  requestInProgress:
    'Your registration is already being processed. Wait a few seconds and send the form again; you will not be registered twice.',
  network:
    'There is no connection with the server. Check your internet connection and try again. Everything you entered is kept and you will not be registered twice.',
  tooFast: 'That was very quick. Please check your details and send the form again.',
  honeypotFilled:
    'The form could not be sent. Does your browser fill in fields automatically? Then leave the field ‘Leave this field empty’ empty.',
  eventGone: 'This event does not exist (any more).',
  unexpected: (code) =>
    `Something went wrong (error code ${code}). Please try again later or contact the organisers.`,
  seatsRefreshFailed: 'The available seats could not be updated.',

  confirmedHeading: 'You are registered',
  confirmedThanks: (name, event) => `Thank you, ${name}. Your registration for ${event} is confirmed.`,
  yourWorkshops: 'Your workshops',
  confirmationEmail: (email) =>
    `We are sending a confirmation to ${email}. It contains a link to change your workshops or cancel your registration.`,
  checkSpam: 'No email? Please check your spam folder too.',

  manageHeading: 'Your registration',
  manageLoading: 'Loading your registration…',
  linkInvalid:
    'This link is not valid (any more). Please use the link in your most recent confirmation email, or contact the organisers.',
  detailsHeading: 'Registration details',
  status: 'Status',
  statusConfirmed: 'Confirmed',
  statusCancelled: 'Cancelled',
  registeredOn: 'Registered on',
  changeHeading: 'Change workshops',
  changeIntro:
    'Choose a workshop in each round and save. You keep your current seat until you choose another.',
  save: 'Save changes',
  saving: 'Saving…',
  saved: 'Your workshops have been changed.',
  nothingChanged: 'You have not changed anything.',
  changeClosed: 'Changes are no longer possible: registration is closed.',
  cancelHeading: 'Cancel registration',
  cancelIntro: 'Cannot come? Please cancel your registration so that someone else can have your seat.',
  cancelButton: 'Cancel registration',
  cancelConfirmTitle: 'Are you sure you want to cancel your registration?',
  cancelConfirmText:
    'Your workshop seats are released for others. This cannot be undone: full is full, so your seat may be gone afterwards.',
  cancelConfirmYes: 'Yes, cancel my registration',
  cancelConfirmNo: 'No, go back',
  cancelling: 'Cancelling…',
  cancelled: 'Your registration has been cancelled. Your seats have been released for others.',
  alreadyCancelled: 'This registration has been cancelled.',
  registerAgain: 'Register again',
  dataHeading: 'Your data',
  checkInHeading: 'Checking in on the day',
  checkInIntro:
    'Have this QR code scanned at the entrance and at your workshops, or read out the code. The code changes when you receive a new confirmation email.',
  checkInQrAlt: (code: string) => `QR code to check in, code ${code}`,
  dataIntro:
    'Download everything we store about your registration, or have your name, email address, organisation and job title erased.',
  dataDownload: 'Download my data (JSON)',
  downloading: 'Downloading…',
  downloaded: (fileName) => `Your data has been downloaded as ${fileName}.`,
  eraseButton: 'Have my data erased',
  eraseConfirmTitle: 'Are you sure you want to have your data erased?',
  eraseConfirmText: (confirmed) =>
    `${confirmed ? 'Your registration is cancelled and your workshop seats are released for others. ' : ''}Your name, email address, organisation and job title are erased. You get one last email to confirm it. This cannot be undone: afterwards this link no longer works.`,
  eraseConfirmYes: 'Yes, erase my data',
  eraseConfirmNo: 'No, go back',
  erasing: 'Erasing…',
  erased:
    'Your data has been erased. Your registration is cancelled and your seats have been released. You will receive one last email to confirm it. This link no longer works; you can close this page.',
  eraseTryAgain: (seconds) =>
    `Your data has not been erased yet: the confirmation email could not be sent yet. Nothing has changed. Please try again in ${seconds === undefined ? 'a few minutes' : `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`}.`,
  eraseNotFound:
    'This link does not work (any more). Did you just have your data erased? Then that worked and you will get a confirmation email.',

  waitingCount: (count) =>
    count === 0 ? 'nobody waiting yet' : count === 1 ? '1 person waiting' : `${count} people waiting`,
  waitOption: 'Put me on the waiting list',
  waitOptionFor: (title) => ` for ‘${title}’`,
  roundLegendWaiting: (roundTitle) => `${roundTitle}: which workshops would you accept?`,
  acceptRank: (rank) => `your choice no. ${rank}`,

  alternativesTitle: 'Reserve choice (optional)',
  alternativesHint:
    'Is your choice full when your registration arrives? Then you get the first workshop from this list that still has seats. Choose them in order of preference.',
  alternativeNone: 'none',
  reserveBecameFull: (title) =>
    `‘${title}’ from your reserve choice is now full and has been taken out of it.`,
  alternativeTaken: (chosen, taken) =>
    `Your first choice ‘${chosen}’ was full; you are registered for ‘${taken}’.`,
  modeLegend: 'How do you want to register?',
  modeRegister: 'With a seat in every round',
  modeRegisterHint:
    'Choose a workshop with seats left in each round. Is the workshop you want most full? Then tick ‘Put me on the waiting list’ there. When a seat comes free you get it automatically, and we release your other seat in that round.',
  modeWaiting: 'Waiting list only',
  modeWaitingHint:
    'Tick the workshops you would accept in each round, in order of preference. As soon as every round has a seat in one of them, you are registered automatically and get an email.',
  modeForced: (rounds) =>
    `Every workshop in ${rounds} is full. You can now only sign up for a place on the waiting list: tick the workshops you would accept in each round.`,
  submitWaiting: 'Sign up for the waiting list',
  errAccept: (roundTitle) => `Tick at least one workshop you would accept in ${roundTitle}.`,
  errWaitNeedsSeat: (roundTitle) =>
    `Also choose a workshop with seats left in ${roundTitle}. Only want the waiting list? Then choose ‘Waiting list only’ at the top.`,
  notFull:
    'There are seats left: just register. In each round a workshop with seats has been chosen from the ones you ticked. Check the choice and click ‘Register’.',
  waitNotFull: (title) => `‘${title}’ has seats again: no need to wait. Just choose this workshop.`,
  waitNotFullAlert:
    'A workshop whose waiting list you wanted to join has seats again. Just choose it in the marked round. Everything else you entered is kept.',
  waitFreed: (title) => `‘${title}’ has seats again. You can now simply choose this workshop.`,
  alreadyWaiting:
    'This email address is already on the waiting list for this event. The email you got then has a link to view your place or leave the waiting list.',
  waitingHeading: 'You are on the waiting list',
  waitingThanks: (name, event) => `Thank you, ${name}. You are on the waiting list for ${event}.`,
  waitingExplain:
    'As soon as every round has a seat in a workshop you ticked, you are registered automatically. We will let you know: you will get an email with your workshops.',
  yourWaitingList: 'Your place on the waiting list',
  waitingPosition: (position) => `number ${position} on the waiting list`,
  waitingEmail: (email) =>
    `We are sending an email to ${email}. It contains a link to view your place on the waiting list or to leave it.`,
  confirmationWaitingHeading: 'Your waiting lists',
  confirmationWaitingIntro:
    'When a seat comes free in a workshop whose waiting list you are on, you get it automatically and we release your seat in that round. You will get an email.',

  statusWaiting: 'On the waiting list',
  acceptedHeading: 'Workshops you would accept',
  waitingManageIntro:
    'You are on the waiting list for a place. As soon as every round has a seat in a workshop you would accept, you are registered automatically and get an email.',
  leaveHeading: 'Leave the waiting list',
  leaveIntro: 'No longer want to be on the waiting list? Then your place goes to the next person.',
  leaveButton: 'Leave the waiting list',
  leaveFor: (title) => ` for ‘${title}’`,
  leaveConfirmTitle: 'Are you sure you want to leave the waiting list?',
  leaveConfirmText:
    'You lose your place on the waiting list. If you want to join again later, you go to the back of the line.',
  leaveConfirmYes: 'Yes, take me off the waiting list',
  leaving: 'Working…',
  left: 'You are no longer on the waiting list.',
  leftRound: (title) => `You are no longer on the waiting list for ‘${title}’. You keep your current seat.`,
  waitingListsHeading: 'Waiting lists',
  waitingListsIntro:
    'Is a workshop you would rather attend full? Then put yourself on its waiting list. When a seat comes free you get it automatically, we release your current seat in that round and you get an email. Until then you keep your current seat. You can be on one waiting list per round.',
  waitingInRound: (title, position) =>
    `You are on the waiting list for ‘${title}’${position ? ` (number ${position})` : ''}.`,
  noFullInRound: 'No full workshops in this round.',
  joinButton: 'Join the waiting list',
  joinFor: (title) => ` for ‘${title}’`,
  joined: (title, position) =>
    `You are now on the waiting list for ‘${title}’${position ? ` (number ${position})` : ''}. You keep your current seat until a seat comes free.`,
  joinNotFull: (title) => `‘${title}’ has seats left: no need for the waiting list. Just switch workshops.`,
  switchTo: (title) => `Switch to ‘${title}’`,
  alreadyWaitingRound:
    'You are already on a waiting list in this round. You can be on one waiting list per round: leave that one first.',
  changeWaiting: 'You are on the waiting list for a place and have no workshops to change yet.',
  eraseConfirmTextWaiting:
    'You leave the waiting list. Your name, email address, organisation and job title are erased. You get one last email to confirm it. This cannot be undone: afterwards this link no longer works.',
};

export const texts: Record<'nl' | 'en', Texts> = { nl, en };

/** A text that is rendered again when the language changes. */
export type Msg = (t: Texts) => string;
