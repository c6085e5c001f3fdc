"""Factories of support programmes and model documents with their versions."""

import factory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Programme"

    code = factory.Sequence(lambda n: f"nagano-programme-{n}")
    name = factory.Sequence(lambda n: f"長野県 介護事業者連携推進事業{n}")
    phases = factory.LazyFunction(lambda: ["implement"])
    stages = factory.LazyFunction(lambda: [3, 4])
    runner = "prefecture"
    gives = "subsidy"
    summary = "県内の介護事業者が共同で行う研修や求人の費用の一部を県が補助します。"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.Document"

    slug = factory.Sequence(lambda n: f"model-document-{n}")
    title = factory.Sequence(lambda n: f"合同研修の実施要領のひな形{n}")
    kind = "workflow"
    summary = "参加法人が合同で研修を開くときの役割分担と日程の決め方をまとめたひな形です。"
    stages = factory.LazyFunction(lambda: [4])
    themes = factory.LazyFunction(lambda: ["workforce"])
    visibility = "public"


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.DocumentVersion"

    document = factory.SubFactory(DocumentFactory)
    number = 1
    body = "1　研修のテーマと講師の決め方\n2　会場と日程\n3　費用の分担"
