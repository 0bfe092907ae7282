"""Settings of the sample-data generator: scale, seed and the share of every kind of noise."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class FirmNoise(_Strict):
    """How SBIR firms appear (or not) among the USAspending recipients."""

    absent_award_share: Share = 0.10
    """Share of awards whose firm has no recipient row at all."""
    lookalike_suffix_share: Share = 0.08
    """Share of firms with another recipient of the same core name and another legal suffix."""
    lookalike_token_share: Share = 0.05
    """Share of firms with another recipient whose name differs by one word."""
    legacy_duns_share: Share = 0.12
    """Share of present firms with a DUNS that also have old DUNS-only duplicate rows."""
    moved_share: Share = 0.06
    """Share of firms whose earlier awards carry a state they later left."""
    lookalike_letter_share: Share = 0.03
    """Share of firms with another business named like them but one letter off (ORBIT vs
    ORBITZ), mostly in another state; firms with a short one-word name are likelier to have one."""
    parent_share: Share = 0.05
    """Share of recipient rows with a parent (parent_uei/parent_duns/parent name)."""
    foreign_form_share: Share = 0.02
    """Share of businesses (SBIR firms and other recipients alike) registered with a foreign
    legal form (GMBH, S.A., AG, B.V., PTY LTD, S.R.L., AB, OY, SP. Z O.O., S.P.A.)."""


class IdentifierNoise(_Strict):
    """How award identifiers are written or wrong in the SBIR export."""

    duns_lost_zeros_share: Share = 0.70
    """Share of DUNS starting with 0 that are written without their leading zeros."""
    duns_dashes_share: Share = 0.05
    """Share of written DUNS formatted as ``NN-NNN-NNNN``."""
    uei_lower_share: Share = 0.05
    """Share of written UEIs in lower case."""
    uei_padded_share: Share = 0.04
    """Share of written UEIs with surrounding spaces."""
    wrong_id_share: Share = 0.02
    """Share of awards carrying an identifier where one identifier is wrong (stale or mistyped)."""


class NameNoise(_Strict):
    """How award company names differ from the recipient's registered legal name."""

    title_case_share: Share = 0.40
    """Share of award names in title case (``Pumpkinseed Technologies, Inc.``)."""
    lower_case_share: Share = 0.01
    """Share of award names in lower case."""
    punctuation_share: Share = 0.25
    """Share of awards whose commas/periods around the suffix differ from the registered name."""
    suffix_spelling_share: Share = 0.08
    """Share of awards writing the same legal form another way (INC ↔ INCORPORATED)."""
    suffix_swap_share: Share = 0.04
    """Share of awards naming another legal form (the firm re-registered: LLC → INC)."""
    suffix_drop_share: Share = 0.08
    """Share of awards with the legal suffix left out."""
    abbreviation_share: Share = 0.30
    """Share of abbreviable names (TECHNOLOGIES, LABORATORIES...) written the other way."""
    typo_share: Share = 0.03
    """Share of awards with a one-character typo in the company name."""
    leading_the_share: Share = 0.02
    """Share of awards with a leading "The" the registered name lacks."""
    ampersand_share: Share = 0.40
    """Share of names containing & or AND written with the other one."""
    extra_words_share: Share = 0.03
    """Share of awards naming a division, unit or country after the core name (``ACME ROBOTICS
    DEFENSE DIVISION``, ``ACME ROBOTICS UK``), usually without the legal suffix."""
    acronym_share: Share = 0.06
    """Share of awards of firms with three or more core words written as the initials
    (``ADVANCED MATERIALS RESEARCH INC`` → ``AMR INC``)."""
    foreign_form_respelt_share: Share = 0.30
    """Share of awards of firms with a foreign legal form that keep the form but write it
    another way (S.A. → SA, PTY LTD → PTY, S.P.A. → S P A), on top of ``suffix_spelling_share``."""


class VariantNoise(_Strict):
    """How awards named by real company aliases are built (``names_from: company_aliases``)."""

    uei_share: Share = 0.20
    """Share of awards carrying the company's UEI (none carries a DUNS)."""
    absent_company_share: Share = 0.15
    """Share of companies with no recipient row (their awards have no true recipient)."""
    other_state_share: Share = 0.06
    """Share of awards filed from a state other than the company's."""


class GeneratorConfig(_Strict):
    """Scale, seed and noise shares of one generated sample."""

    seed: int = 20250601
    n_awards: int = Field(3000, ge=1)
    n_recipients: int = Field(60000, ge=1)
    """Recipient rows wanted; firm rows come first, filler firms make up the rest."""
    awards_per_firm: float = Field(4.0, ge=1.0)
    """Mean awards per SBIR firm (the distribution is skewed: most firms have one or two)."""
    unusable_share: Share = 0.006
    """Share of award rows that cannot be used (blank company, unparseable amount, bad id)."""
    names_from: Literal["generated", "company_aliases"] = "generated"
    """Award company names: the generator's own noise, or real aliases of real companies
    (``sample_data.variants``: a yardstick built outside the project)."""
    variants: VariantNoise = VariantNoise()
    firms: FirmNoise = FirmNoise()
    identifiers: IdentifierNoise = IdentifierNoise()
    names: NameNoise = NameNoise()

    @model_validator(mode="after")
    def _case_shares_fit(self) -> GeneratorConfig:
        if self.names.title_case_share + self.names.lower_case_share > 1:
            raise ValueError("names.title_case_share + names.lower_case_share must be at most 1")
        return self
