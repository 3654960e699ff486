import RunnerCore

/// Every built-in step of the five stages, for the runner and the workflow validator.
public enum BuiltinSteps {
    public static let registry = StepRegistry([
        ProtocolValidate(), RecordsImportStep(), RecordsDeduplicateStep(), ScreeningSampleStep(), ScreeningImportRayyanStep(),
        ScreeningAgreementStep(), ScreeningResolveStep(), ChartingValidateStep(), CollatePrismaStep(), CollateTablesStep(),
        CollateReportStep(),
    ])
}
