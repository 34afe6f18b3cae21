"""The references the shipped studies cite.

DOIs and PMIDs are recorded only where the literature notes the studies were
built from, or the source documents themselves, give them; others are left
empty rather than looked up from memory. ``docs/sources.md`` says which values
of each study come from which reference.
"""

from __future__ import annotations

from planner.model import Reference

CHEN2023 = Reference(
    "chen2023",
    "Chen J, Che Q, Kou Y, Rong X, Zhang X, Li M, Shu Q. A novel drug combination of tofacitinib and "
    "iguratimod alleviates rheumatoid arthritis and secondary osteoporosis. Int Immunopharmacol. "
    "2023;124(Pt B):110913.",
    doi="10.1016/j.intimp.2023.110913",
    note="Abstract and summaries only; full text not read.",
)
SEED_SUMMARY = Reference(
    "summary2023",
    "News summary of Chen et al. 2023: 'The combination of tofacitinib and iguratimod may be effective in "
    "refractory RA and secondary OP' (unsigned; outlet and date not given in the copy read).",
    note="Secondary source for the design, groups and outcomes of Chen 2023; it gives no doses, duration or "
         "timepoints.",
)
CHEN2023_SECONDARY = Reference(
    "chen2023_secondary",
    "Secondary summary of Chen et al. 2023, not identified further (TO BE VERIFIED): iguratimod "
    "10 mg/kg/day and tofacitinib 12 mg/kg/day orally for 6 weeks; controls given the same volume of normal "
    "saline.",
    note="Unverified secondary source, recorded in the literature notes this study was built from without its "
         "author or title; it is not the primary paper and not the news summary (summary2023, which gives no "
         "doses): verify every value citing it against the full text of Chen 2023.",
)
DU2008 = Reference(
    "du2008",
    "Du F, Lü LJ, Fu Q, Dai M, Teng JL, Fan W, et al. T-614, a novel immunomodulator, attenuates joint "
    "inflammation and articular damage in collagen-induced arthritis. Arthritis Res Ther. 2008;10(6):R136.",
)
ADAM2020 = Reference(
    "adam2020",
    "Adam S, Simon N, Steffen U, Andes FT, Scholtysek C, Müller DIH, et al. JAK inhibition increases bone "
    "mass in steady-state conditions and ameliorates pathological bone loss by stimulating osteoblast "
    "function. Sci Transl Med. 2020;12(530):eaay4447.",
)
SMOLECULE2026 = Reference(
    "smolecule2026",
    "Smolecule Technical Support Team. Iguratimod treatment failure alternative approaches. Smolecule; "
    "February 2026.",
    url="https://www.smolecule.com/products/b548953#iguratimod-treatment-failure-alternative-approaches",
    note="Research-use-only technical note; source of protocols 1 and 2 and of the decision pathway.",
)
DBT_REVIEW = Reference(
    "dbtreview",
    "Beyond Monotherapy: Exploring the Efficacy and Safety of … (review cited as reference 1 of Smolecule "
    "2026, on PubMed Central; Smolecule 2026 truncates the title).",
)
FURER2023 = Reference(
    "furer2023",
    "Furer V, Elkayam O. Rambam Maimonides Med J. 2023;14:e0007 (review of dual targeted therapy; "
    "no pooled serious-infection rate reported).",
)
VALERO2023 = Reference(
    "valero2023",
    "Valero-Martínez C, et al. Front Immunol. 2023:1283251 (review of dual targeted therapy; "
    "no pooled serious-infection rate reported).",
)
IGU_SSC2023 = Reference(
    "frontmed2023",
    "Iguratimod as an alternative therapy for systemic sclerosis … (Smolecule 2026 truncates the title). Front Med. "
    "2023;10:1113408 (Renji Hospital registry, 2017–2021).",
)
HARA2007 = Reference(
    "hara2007",
    "Hara 2007: iguratimod 25 mg/day for 4 weeks, then 50 mg/day, with hepatic-enzyme monitoring.",
    note="Known by first author and year only, from the project's literature notes; full "
         "citation to be completed.",
)
XELJANZ = Reference(
    "xeljanz",
    "XELJANZ (tofacitinib) US prescribing information: Limitations of Use; Dosage and Administration "
    "(laboratory monitoring, dose interruption and discontinuation); Warnings (serious infections, "
    "tuberculosis).",
)
CTCAE5 = Reference(
    "ctcae5",
    "National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) version 5.0.",
)
FDA_DILI = Reference(
    "fdadili",
    "US FDA. Guidance for Industry. Drug-Induced Liver Injury: Premarketing Clinical Evaluation.",
)
SSC2013 = Reference(
    "ssc2013",
    "2013 ACR/EULAR classification criteria for systemic sclerosis (total score ≥ 9).",
)
RA2010 = Reference(
    "ra2010",
    "2010 ACR/EULAR classification criteria for rheumatoid arthritis (total score ≥ 6 of 10).",
)
CLEMENTS1995 = Reference(
    "clements1995",
    "Clements 1995: modified Rodnan skin score, 17 sites scored 0–3, total 0–51.",
)
VONK2021 = Reference(
    "vonk2021",
    "Vonk 2021: progression of SSc-associated interstitial lung disease is an FVC decline ≥ 10 % "
    "predicted, or 5–10 % with a DLCO decline ≥ 15 %.",
)
BOUXSEIN2010 = Reference(
    "bouxsein2010",
    "Bouxsein ML, et al. J Bone Miner Res. 2010;25:1468 (micro-CT reporting in rodents: BV/TV, Tb.N, "
    "Tb.Th, Tb.Sp, with voxel size and volume of interest).",
)
HAYER2021 = Reference(
    "hayer2021",
    "Hayer S, et al. Ann Rheum Dis. 2021;80:714 (SMASH recommendations for histological scoring in "
    "arthritis models).",
)
ARRIVE2020 = Reference(
    "arrive2020",
    "The ARRIVE guidelines 2.0 (Essential 10) for reporting animal research.",
)
# Product labels read for the risk table (docs/risk-table.md gives each row and its source id).
CARERAM = Reference(
    "careram",
    "CAREAM/Careram (iguratimod) Japanese package insert: warning, contraindications, 10.1 interactions, "
    "11.1.1-11.1.2 serious adverse reactions (risk table source G1).",
)
KEVZARA = Reference(
    "kevzara",
    "KEVZARA (sarilumab) US prescribing information, section 2 (laboratory thresholds for starting, "
    "interrupting and discontinuing; risk table source I6).",
)
INFLIXIMAB_LABEL = Reference(
    "infliximablabel",
    "RENFLEXIS (infliximab-abda) US prescribing information, 5.4 hepatotoxicity (risk table source T8).",
)
RITUXIMAB_LABEL = Reference(
    "rituximablabel",
    "Rituximab Boxed Warning and US prescribing information 5.3, hepatitis B virus reactivation "
    "(risk table sources R1, R2).",
)
ORENCIA_LABEL = Reference(
    "orencialabel",
    "ORENCIA (abatacept) US prescribing information, warnings and limitations of use: with TNF antagonists "
    "or JAK inhibitors not recommended (risk table sources A2, A5).",
)
RITUXIMAB_CONSENSUS = Reference(
    "rituximabconsensus",
    "Buch MH, et al. Updated consensus statement on the use of rituximab in patients with rheumatoid arthritis. "
    "Ann Rheum Dis 2011;70:909-920 (risk table source R6: baseline IgG before starting and before each course).",
)
