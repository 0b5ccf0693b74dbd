"""Tukums' own projects, programmes and organisations, from the seed documents 000 and 001."""

from grants.core.vocabulary import (
    Aggregation,
    AmountKind,
    FundingBase,
    FundingKind,
    IndicatorKind,
    IndicatorVocabulary,
    OrganisationKind,
    OurRole,
    PartnerRole,
    ProjectStatus,
    ReportingRhythm,
    Rounding,
    TargetRule,
)
from grants.seed.data import Org, SeedFunding, SeedIndicator, SeedPartner, SeedProject

MUNICIPALITY = "Tukuma novada pašvaldība"
SOCIAL_SERVICE = "Tukuma novada sociālais dienests"
SIF = "Sabiedrības integrācijas fonds"
JSPA = "Jaunatnes starptautisko programmu aģentūra"
VARAM = "Viedās administrācijas un reģionālās attīstības ministrija"
KPR = "Kurzemes plānošanas reģions"
KRETINGA = "Kretingas atklātais jauniešu centrs"
METU_RIEVES = 'Sabiedriskā organizācija "Metu rieves"'

ORGANISATIONS = [
    Org(MUNICIPALITY, OrganisationKind.MUNICIPALITY, "Tukuma novads", is_own=True),
    Org(SOCIAL_SERVICE, OrganisationKind.PUBLIC_BODY, "TNSD", is_own=True),
    Org(SIF, OrganisationKind.PUBLIC_BODY, "SIF"),
    Org(JSPA, OrganisationKind.PUBLIC_BODY, "JSPA"),
    Org(VARAM, OrganisationKind.PUBLIC_BODY, "VARAM"),
    Org(KPR, OrganisationKind.PLANNING_REGION, "KPR"),
    Org(KRETINGA, OrganisationKind.PUBLIC_BODY, "Kretinga", country="LT"),
    Org(METU_RIEVES, OrganisationKind.NGO, "Metu rieves", country="LT"),
]

COHESION = "LV-KPP-2021-2027"
GROWTH_2014 = "LV-DP-2014-2020"
INTERREG_LV_LT = "LV-LT-2021-2027"

PROGRAMMES = [
    # (code, name_lv, name_en, managing body)
    (
        COHESION,
        "Eiropas Savienības kohēzijas politikas programma 2021.–2027. gadam",
        "EU Cohesion Policy Programme 2021–2027 (Latvia)",
        None,
    ),
    (
        INTERREG_LV_LT,
        "Interreg VI-A Latvijas–Lietuvas programma 2021.–2027. gadam",
        "Interreg VI-A Latvia–Lithuania Programme 2021–2027",
        VARAM,
    ),
    (
        GROWTH_2014,  # named in seed 001 (the group flat at Celtnieku iela 3)
        "Darbības programma “Izaugsme un nodarbinātība” 2014.–2020. gadam",
        "Operational Programme “Growth and Employment” 2014–2020",
        None,
    ),
]

MEASURES = [
    # (programme, code, name_lv, name_en, fund, intermediate body, reporting, rounding)
    (
        COHESION,
        "4.4.1.1",
        "Atbalsts jaunām pieejām sabiedrībā balstītu sociālo pakalpojumu sniegšanā",
        "Support for new approaches in delivering community-based social services",
        "ESF+",
        SIF,
        ReportingRhythm.QUARTERLY,
        Rounding.HALF_UP,
    ),
    (
        COHESION,
        "4.2.3.4",
        "Sekmēt NEET jauniešu integrēšanos izglītībā un nodarbinātībā",
        "Promote the integration of NEET youth into education and employment",
        "ESF+",
        None,
        ReportingRhythm.QUARTERLY,
        Rounding.HALF_UP,
    ),
    (
        INTERREG_LV_LT,
        "III",
        "III prioritāte “Taisnīga un iekļaujoša sabiedrība”",
        "Priority III “Fair and inclusive society”",
        "ERDF",
        None,
        ReportingRhythm.HALF_YEARLY,
        Rounding.DOWN,  # Jems truncates flat rates to the cent
    ),
    (
        GROWTH_2014,
        "9.2.2",  # the SAM's number and name are external: the seeds name only 9.2.2.1 projects
        "Palielināt kvalitatīvu institūcijām alternatīvu sociālo pakalpojumu dzīvesvietā un "
        "ģimeniskai videi pietuvinātu pakalpojumu pieejamību personām ar invaliditāti un bērniem",
        "Increase the availability of quality alternatives to institutional care at the "
        "place of residence, and of family-like services, for persons with disabilities and "
        "children",
        "ESF",  # the 2014–2020 European Social Fund, before ESF+
        None,
        ReportingRhythm.QUARTERLY,
        Rounding.HALF_UP,
    ),
]

INDIRECT = "indirect"

MEASURE_COST_CATEGORIES = [
    # (measure, code, name_lv, name_en): the cost categories a measure has besides the six
    # standard ones. ESF+ budgets carry indirect costs as a category of their own.
    ("4.4.1.1", INDIRECT, "Netiešās izmaksas", "Indirect costs"),
]

TUKUMS_PROJECTS = [
    SeedProject(
        code="4.4.1.1./2/004",
        title_lv="Intensīvais sociālais darbs ģimenēm ar bērniem",
        title_en="Intensive social work with families with children",
        measure="4.4.1.1",
        holder=MUNICIPALITY,
        our_role=OurRole.IMPLEMENTER,
        status=ProjectStatus.IN_PROGRESS,
        start="01.01.2026",
        end="31.12.2027",
        total="369 214,43",
        eligible="296 578,43",
        note_lv="Pakalpojuma vieta: “Rīti”, Slampe, Slampes pagasts, Tukuma novads.",
        note_en="Service site: “Rīti”, Slampe, Slampe parish, Tukums municipality.",
        funding=[
            SeedFunding("ESF+", FundingKind.EU_FUND, FundingBase.ELIGIBLE, rate="85"),
            SeedFunding(
                "Valsts budžets",
                FundingKind.STATE_BUDGET,
                FundingBase.ELIGIBLE,
                rate="15",
                residual=True,
            ),
            SeedFunding(
                MUNICIPALITY,
                FundingKind.MUNICIPALITY,
                FundingBase.INELIGIBLE,
                rate="100",
                residual=True,
            ),
        ],
        indicators=[
            SeedIndicator(
                "R1",
                "Ģimenes, kas saņēmušas pilnu 3–6 mēnešu pakalpojuma ciklu",
                "Families that received a full 3–6 month service cycle",
                "ģimenes",
                "families",
                "12",
                rule=TargetRule.EXACTLY,
                aggregation=Aggregation.HOUSEHOLDS,
                kind=IndicatorKind.RESULT,
                min_stay_months=3,
            ),
            SeedIndicator(
                "R2",
                "Personas ģimenēs, kas saņēmušas pilnu pakalpojuma ciklu",
                "Persons in families that received a full service cycle",
                "personas",
                "persons",
                "48",
                rule=TargetRule.EXACTLY,
                aggregation=Aggregation.COMPLETED,
                kind=IndicatorKind.RESULT,
                breakdowns="gender,age",
                min_stay_months=3,
            ),
        ],
    ),
    SeedProject(
        code="4.2.3.4/1/24/I/001",
        title_lv="PROTI un DARI 2.0",
        title_en="PROTI un DARI 2.0 (KNOW and DO 2.0): NEET youth into education and work",
        measure="4.2.3.4",
        holder=JSPA,
        our_role=OurRole.COOPERATION_PARTY,
        status=ProjectStatus.IN_PROGRESS,
        start="12.06.2024",
        end="31.12.2027",
        contract_ref="Nr. 6-9/15, 12.06.2024",
        note_lv="Projektu īsteno JSPA; Tukuma novada sociālais dienests ir sadarbības puse. "
        "Projekta kopējās izmaksas un finansējuma sadalījums avotā nav norādīts.",
        note_en="JSPA holds the project; Tukums social service is a cooperation party. "
        "The project's total cost and funding split are not given in the source.",
        partners=[
            SeedPartner(JSPA, PartnerRole.BENEFICIARY),
            SeedPartner(SOCIAL_SERVICE, PartnerRole.COOPERATION_PARTY, budget="84 104,51"),
        ],
        funding=[
            SeedFunding(
                "PROTI un DARI 2.0 (JSPA)",
                FundingKind.OTHER,
                FundingBase.PARTNER_BUDGET,
                rate="100",
                residual=True,
                partner=SOCIAL_SERVICE,
            ),
        ],
        indicators=[
            SeedIndicator(
                "N1",
                "Iesaistītie NEET jaunieši",
                "NEET young people engaged",
                "jaunieši",
                "young people",
                "39",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.NATIONAL,
                breakdowns="gender,age",  # typed per period (grants.seed.entries)
            ),
        ],
    ),
    SeedProject(
        code="LL-00241",
        title_lv="Paaudžu savienošana daudzveidībā (ConnectinGen)",
        title_en="Connecting generations in diversity (ConnectinGen)",
        measure="III",
        holder=None,
        our_role=OurRole.PARTNER,
        status=ProjectStatus.IN_PROGRESS,
        start="01.04.2025",
        end="31.03.2027",
        amount_kind=AmountKind.CONDITIONAL,
        eu_ceiling="291 487,41",
        decision_date="18.12.2024",
        note_lv="VARAM 18.12.2024. lēmums: ERAF finansējums līdz 291 487,41 EUR, ja tiek "
        "iesniegtas Tukuma, Kretingas un Palangas pašvaldību atbalsta vēstules. "
        "Vadošais partneris avotā nav norādīts.",
        note_en="VARAM decision of 18.12.2024: ERDF up to 291 487,41 EUR, conditional on "
        "support letters from the Tukums, Kretinga and Palanga municipalities. "
        "The source does not name the lead partner.",
        partners=[
            SeedPartner(KPR, PartnerRole.PARTNER),
            SeedPartner(SOCIAL_SERVICE, PartnerRole.PARTNER, budget="48 355,00"),
            SeedPartner(KRETINGA, PartnerRole.PARTNER),
            SeedPartner(METU_RIEVES, PartnerRole.PARTNER),
        ],
        funding=[
            SeedFunding(
                "ERAF",
                FundingKind.EU_FUND,
                FundingBase.PARTNER_BUDGET,
                rate="80",
                partner=SOCIAL_SERVICE,
            ),
            SeedFunding(
                MUNICIPALITY,
                FundingKind.MUNICIPALITY,
                FundingBase.PARTNER_BUDGET,
                rate="20",
                residual=True,
                partner=SOCIAL_SERVICE,
            ),
        ],
        indicators=[
            SeedIndicator(
                "RCO116",
                "Kopīgi izstrādāti risinājumi (starppaaudžu metode)",
                "Jointly developed solutions (the intergenerational method)",
                "risinājumi",
                "solutions",
                "1",
                vocabulary=IndicatorVocabulary.ERDF_COMMON,
            ),
            SeedIndicator(
                "P1",
                "Pieredzes apmaiņas pasākumi",
                "Experience-exchange events",
                "pasākumi",
                "events",
                None,
                rule=TargetRule.NONE,
            ),
        ],
    ),
]

# Closed projects of Tukums: in the portfolio with their register, but the demo users are
# members of the running projects only.
TUKUMS_CLOSED_PROJECTS = [
    SeedProject(
        code="IB-2020",
        title_lv="Individuālā budžeta izmēģinājumprojekts",
        title_en="Individual budget pilot project",
        measure="9.2.2",
        holder=SOCIAL_SERVICE,
        our_role=OurRole.IMPLEMENTER,
        status=ProjectStatus.CLOSED,
        start="01.11.2019",
        end="31.01.2021",
        note_lv="Avotā (002: “izmēģinājumprojekts”, “IB projekts”) projekta numurs nav "
        "norādīts; “IB-2020” ir šīs sistēmas kods. Avots dod iztērēto, nevis līgumā "
        "paredzēto finansējumu: bērniem un vecākiem 34 854 EUR (rindu summa 34 854,41; "
        "vidēji 290 EUR uz bērnu mēnesī, vidēji 12 mēneši), personām ar GRT 84 009 EUR "
        "(rindu summa 84 009,02; vidēji 560 EUR mēnesī, vidēji 15 mēneši), kopā 118 863,43 "
        "EUR. Ārēji, ne no avota: Labklājības ministrijas publiskās lapas saista "
        "izmēģinājumprojektu ar ESF projektu 9.2.2.2./16/I/001 un dod laiku no 2019. gada "
        "novembra līdz 31.01.2021.; no tām ņemti arī datumi, programma un SAM 9.2.2.",
        note_en="The source (002: “izmēģinājumprojekts”, “IB projekts”) gives no project "
        "number; “IB-2020” is this system's code. The source gives money spent, not a "
        "contracted amount: children and parents 34 854 EUR (rows add up to 34 854,41; on "
        "average 290 EUR per child per month over 12 months), persons with mental "
        "disabilities (GRT) 84 009 EUR (rows add up to 84 009,02; 560 EUR per person per "
        "month over 15 months), 118 863,43 EUR together. External, not from the source: "
        "public pages of the Ministry of Welfare tie the pilot to ESF project "
        "9.2.2.2./16/I/001 and give November 2019 to 31.01.2021; the dates, the programme "
        "and SAM 9.2.2 come from there too.",
        indicators=[
            # No targets: the source plans none. About 10 persons per group is only implied
            # (34 854 / (290 × 12) ≈ 10; 84 009 / (560 × 15) ≈ 10).
            SeedIndicator(
                "P1",
                "Bērni un vecāki, kas saņēmuši pakalpojumus",
                "Children and parents who received services",
                "personas",
                "persons",
                None,
                rule=TargetRule.NONE,
                aggregation=Aggregation.PARTICIPANTS,
                breakdowns="gender,age",
                target_group="children",
            ),
            SeedIndicator(
                "P2",
                "Personas ar GRT, kas saņēmušas pakalpojumus",
                "Persons with mental disabilities (GRT) who received services",
                "personas",
                "persons",
                None,
                rule=TargetRule.NONE,
                aggregation=Aggregation.PARTICIPANTS,
                breakdowns="gender,age",
                target_group="grt",
            ),
        ],
    ),
]
